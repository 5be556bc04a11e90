/**
 * Keeps an API Gateway REST stage's cache in line with the configuration: the cache cluster is on
 * while some recommender may be cached, each GET method serving recommenders gets its own caching
 * switch and TTL (the shortest maxAge of the recommenders it can route to), and each such method's
 * integration lists the cache-key parameters that change a response: its path parameters, the
 * inference query parameters and the headers auto-context rules read. Methods declare those request
 * parameters first (API Gateway only accepts declared ones as cache keys), and a deployment follows
 * method or integration changes because a stage serves its last deployment's snapshot.
 */
import {
  type APIGatewayClient,
  CreateDeploymentCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetStageCommand,
  type PatchOperation,
  type Resource,
  UpdateIntegrationCommand,
  UpdateMethodCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { queryParametersOf } from '../../contracts/inference-query.ts';
import { ORIGIN_SECRET_CACHE_KEY } from '../../contracts/origin-secret.ts';
import { ACTIONS } from '../../schema/config-schema.ts';
import type { Logger } from '../../shared/logger.ts';
import type { DesiredCacheSettings, RecommenderCache } from './desired-cache-settings.ts';

export interface ApiGatewayDeps {
  apiGateway: APIGatewayClient;
  logger: Logger;
}

export interface ApiGatewayTarget {
  restApiId: string;
  stageName: string;
}

export interface ApiGatewaySyncResult {
  stageUpdated: boolean;
  methodsUpdated: number;
}

/** Cache cluster size used when the control plane turns the cache on (the smallest, in GB). */
const DEFAULT_CACHE_CLUSTER_SIZE = '0.5';

const isParam = (segment: string | undefined) => segment !== undefined && /^\{.+\}$/.test(segment);

/** The recommenders a resource path can route to; undefined when it serves no inference endpoint. */
export function recommendersServedBy(path: string, all: RecommenderCache[]): RecommenderCache[] | undefined {
  const segments = path.split('/').filter(Boolean);
  const [first, ns, rec] = segments;
  if (first?.endsWith('+}')) return all;
  if (!first || !(ACTIONS as readonly string[]).includes(first)) return undefined;
  const greedyAt = segments.findIndex((s) => s.endsWith('+}'));
  if (greedyAt < 0 && segments.length < 4) return undefined;
  const anyNamespace = isParam(ns);
  const anyRecommender = anyNamespace && greedyAt === 1 ? true : isParam(rec);
  return all.filter(
    (r) => r.action === first && (anyNamespace || r.namespace === ns) && (anyRecommender || r.recommender === rec),
  );
}

/** Cache-key parameters for a resource serving `recommenders`. */
function cacheKeyParameters(path: string, recommenders: RecommenderCache[]): string[] {
  const pathParams = [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => `method.request.path.${m[1]}`);
  const query = [...new Set(recommenders.flatMap((r) => queryParametersOf(r.action)))].map(
    (q) => `method.request.querystring.${q}`,
  );
  const headers = [...new Set(recommenders.flatMap((r) => r.headers))].map((h) => `method.request.header.${h}`);
  return [...pathParams, ...query, ...headers].sort();
}

/** Escapes a resource path for a stage patch path or a methodSettings key (`/` becomes `~1`). */
const settingKey = (path: string, method: string) => `${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}`;

async function allResources(deps: ApiGatewayDeps, restApiId: string): Promise<Resource[]> {
  const resources: Resource[] = [];
  let position: string | undefined;
  do {
    const page = await deps.apiGateway.send(
      new GetResourcesCommand({ restApiId, embed: ['methods'], limit: 500, position }),
    );
    resources.push(...(page.items ?? []));
    position = page.position;
  } while (position);
  return resources;
}

interface MethodPlan {
  resource: Resource;
  path: string;
  ttl: number;
  cacheKeys: string[];
}

async function syncMethod(plan: MethodPlan, target: ApiGatewayTarget, deps: ApiGatewayDeps): Promise<boolean> {
  const resourceId = plan.resource.id!;
  const method = await deps.apiGateway.send(
    new GetMethodCommand({ restApiId: target.restApiId, resourceId, httpMethod: 'GET' }),
  );
  let changed = false;

  const declared = method.requestParameters ?? {};
  const undeclared = plan.cacheKeys.filter((p) => !(p in declared));
  if (undeclared.length > 0) {
    await deps.apiGateway.send(
      new UpdateMethodCommand({
        restApiId: target.restApiId,
        resourceId,
        httpMethod: 'GET',
        patchOperations: undeclared.map((p) => ({ op: 'add', path: `/requestParameters/${p}`, value: 'false' })),
      }),
    );
    changed = true;
  }

  const current = method.methodIntegration?.cacheKeyParameters ?? [];
  // The deployment's own key (the origin secret behind CloudFront) is kept whatever the configuration says.
  const wanted = current.includes(ORIGIN_SECRET_CACHE_KEY)
    ? [...new Set([...plan.cacheKeys, ORIGIN_SECRET_CACHE_KEY])]
    : plan.cacheKeys;
  const ops: PatchOperation[] = [
    ...wanted
      .filter((p) => !current.includes(p))
      .map((p) => ({ op: 'add' as const, path: `/cacheKeyParameters/${p}` })),
    ...current
      .filter((p) => !wanted.includes(p))
      .map((p) => ({ op: 'remove' as const, path: `/cacheKeyParameters/${p}` })),
  ];
  if (ops.length > 0) {
    await deps.apiGateway.send(
      new UpdateIntegrationCommand({
        restApiId: target.restApiId,
        resourceId,
        httpMethod: 'GET',
        patchOperations: ops,
      }),
    );
    changed = true;
  }
  if (changed) deps.logger.info('method cache keys updated', { path: plan.path, cacheKeys: plan.cacheKeys });
  return changed;
}

/**
 * @example
 * await syncApiGatewayStage(desired, { restApiId: 'a1b2c3', stageName: 'prod' }, { apiGateway, logger });
 */
export async function syncApiGatewayStage(
  desired: DesiredCacheSettings,
  target: ApiGatewayTarget,
  deps: ApiGatewayDeps,
): Promise<ApiGatewaySyncResult> {
  const { restApiId, stageName } = target;
  const [stage, resources] = await Promise.all([
    deps.apiGateway.send(new GetStageCommand({ restApiId, stageName })),
    allResources(deps, restApiId),
  ]);

  const plans: MethodPlan[] = [];
  for (const resource of resources) {
    const path = resource.path ?? '';
    const methods = Object.keys(resource.resourceMethods ?? {});
    const served = recommendersServedBy(path, desired.recommenders);
    if (!served || served.length === 0) continue;
    if (!methods.includes('GET')) {
      if (methods.includes('ANY')) {
        deps.logger.warn(
          'resource has only an ANY method; caching it would cache POST requests too, so it is left uncached',
          { path },
        );
      }
      continue;
    }
    plans.push({
      resource,
      path,
      ttl: Math.min(...served.map((r) => r.ttl)),
      cacheKeys: cacheKeyParameters(path, served),
    });
  }

  const clusterWanted = plans.some((p) => p.ttl > 0);
  const ops: PatchOperation[] = [];
  if (Boolean(stage.cacheClusterEnabled) !== clusterWanted) {
    ops.push({ op: 'replace', path: '/cacheClusterEnabled', value: String(clusterWanted) });
    if (clusterWanted && !stage.cacheClusterSize) {
      ops.push({ op: 'replace', path: '/cacheClusterSize', value: DEFAULT_CACHE_CLUSTER_SIZE });
    }
  }
  for (const plan of plans) {
    const key = settingKey(plan.path, 'GET');
    const current = stage.methodSettings?.[key];
    const enabled = clusterWanted && plan.ttl > 0;
    if (Boolean(current?.cachingEnabled) !== enabled) {
      ops.push({ op: 'replace', path: `/${key}/caching/enabled`, value: String(enabled) });
    }
    if (enabled && current?.cacheTtlInSeconds !== plan.ttl) {
      ops.push({ op: 'replace', path: `/${key}/caching/ttlInSeconds`, value: String(plan.ttl) });
    }
  }

  let methodsUpdated = 0;
  for (const plan of plans) if (await syncMethod(plan, target, deps)) methodsUpdated++;
  if (methodsUpdated > 0) {
    await deps.apiGateway.send(
      new CreateDeploymentCommand({
        restApiId,
        stageName,
        description: 'personalization-apis: cache-key parameters synchronised with the configuration',
      }),
    );
    deps.logger.info('stage redeployed for cache-key changes', { restApiId, stageName, methodsUpdated });
  }

  if (ops.length > 0) {
    await deps.apiGateway.send(new UpdateStageCommand({ restApiId, stageName, patchOperations: ops }));
    deps.logger.info('stage cache settings updated', { restApiId, stageName, operations: ops.length });
  } else {
    deps.logger.info('stage cache settings unchanged', { restApiId, stageName });
  }
  return { stageUpdated: ops.length > 0, methodsUpdated };
}
