/**
 * Generates the OpenAPI 3.0 document of a configuration: a path per namespace, recommender and action
 * (namespace and recommender literal in the path), every query parameter, request and response bodies,
 * response headers, servers and the security scheme of the deployment's authentication type. The
 * control plane writes it to the staging bucket; the data plane serves it live at `/openapi.json`.
 */
import type { Action, Config } from '../../schema/config-schema.ts';
import { type ResolvedConfig, type ResolvedRecommender, resolveConfig } from '../../schema/resolve-config.ts';
import type { AuthScheme } from '../auth-schemes.ts';
import { components, ref } from './openapi-components.ts';
import { PERSONALIZE_TAG, personalizePaths } from './personalize-paths.ts';

export interface OpenApiOptions {
  /** Server URLs (CloudFront, API Gateway, local); omitted when empty so tools use the document's origin. */
  servers?: string[];
  /** Authentication in front of the API (default `None`). */
  auth?: AuthScheme;
}

export type Operation = Record<string, unknown>;
export type PathItem = Partial<Record<'get' | 'post', Operation>> & { summary?: string };

export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; description: string; version: string };
  servers?: Array<{ url: string }>;
  tags: Array<{ name: string; description?: string }>;
  paths: Record<string, PathItem>;
  components: ReturnType<typeof components>['components'];
  security?: Array<Record<string, string[]>>;
}

const DEFAULT_DESCRIPTION =
  'Recommendations, related items, re-ranking and event collection in front of the configured recommenders.';

const OPERATION_PREFIX: Record<Action, string> = {
  'recommend-items': 'recommendItems',
  'related-items': 'relatedItems',
  'rerank-items': 'rerankItems',
};

function isResolved(config: ResolvedConfig | Config): config is ResolvedConfig {
  return config.namespaces instanceof Map;
}

const pathParam = (name: string, description: string, example: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', minLength: 1 },
  example,
});

const itemIdsParam = {
  name: 'itemIds',
  in: 'path',
  required: true,
  description: 'Comma-separated item IDs to rank.',
  style: 'simple',
  explode: false,
  schema: { type: 'array', minItems: 1, maxItems: 500, items: { type: 'string' } },
  example: ['1234', '5678', '9012'],
};

function recommenderDescription(rec: ResolvedRecommender): string {
  const lines: string[] = [];
  if (rec.description) lines.push(rec.description);
  const variations = [...rec.variations.values()].map((v) => `\`${v.key}\` (${v.type})`);
  if (variations.length > 0) lines.push(`Variations: ${variations.join(', ')}; the first is the default.`);
  for (const [feature, exp] of rec.experiments) {
    const split =
      exp.method === 'hash'
        ? Object.entries(exp.weights)
            .map(([v, w]) => `${v} ${w}%`)
            .join(', ')
        : `project ${exp.project}`;
    lines.push(`Experiment \`${feature}\` (${exp.method}: ${split}).`);
  }
  return lines.join('\n\n');
}

function queryParameters(rec: ResolvedRecommender, headers: string[]) {
  const features = [...rec.experiments.keys()];
  const params: Array<Record<string, unknown>> = [
    {
      name: 'numResults',
      in: 'query',
      required: false,
      description: 'Number of items to return.',
      schema: {
        type: 'integer',
        minimum: 1,
        maximum: rec.maxNumResults,
        default: Math.min(rec.defaultNumResults, rec.maxNumResults),
      },
    },
    // Filters are a Personalize feature: offered only where a variation can apply them.
    ...([...rec.variations.values()].some((v) => v.type.startsWith('personalize-'))
      ? [ref('parameters', 'filter'), ref('parameters', 'filterValues')]
      : []),
    ref('parameters', 'context'),
    ref('parameters', 'decorateItems'),
    ref('parameters', 'syntheticUser'),
    {
      name: 'feature',
      in: 'query',
      required: false,
      description:
        features.length > 0
          ? `Experiment to evaluate (default \`${features[0]}\`).`
          : 'Experiment to evaluate; this recommender has none configured.',
      schema: features.length > 0 ? { type: 'string', enum: features } : { type: 'string' },
    },
  ];
  for (const header of headers) {
    params.push({
      name: header,
      in: 'header',
      required: false,
      description: 'Read by automatic context rules (CloudFront adds the cloudfront-* headers).',
      schema: { type: 'string' },
    });
  }
  return params;
}

function authResponses(auth: AuthScheme) {
  return auth === 'None' ? {} : { '401': ref('responses', 'Unauthorized'), '403': ref('responses', 'Forbidden') };
}

function inferenceResponses(bodySchema: string, auth: AuthScheme, cacheable: boolean) {
  return {
    '200': {
      description: cacheable ? 'Recommendations.' : 'Ranked items (never cached).',
      headers: {
        'Cache-Control': ref('headers', 'CacheControl'),
        ...(cacheable ? { ETag: ref('headers', 'ETag') } : {}),
        'X-Personalization-Config-Version': ref('headers', 'ConfigVersion'),
        'X-Personalization-Recommendation-Id': ref('headers', 'RecommendationId'),
        'X-Personalization-Variation': ref('headers', 'Variation'),
      },
      content: { 'application/json': { schema: ref('schemas', bodySchema) } },
    },
    ...(cacheable ? { '304': ref('responses', 'NotModified') } : {}),
    '400': ref('responses', 'BadRequest'),
    ...authResponses(auth),
    '404': ref('responses', 'NotFound'),
    ...(cacheable ? {} : { '413': ref('responses', 'PayloadTooLarge') }),
    '429': ref('responses', 'TooManyRequests'),
    '500': ref('responses', 'InternalError'),
    '502': ref('responses', 'BadGateway'),
    '504': ref('responses', 'GatewayTimeout'),
  };
}

function recommenderPaths(rec: ResolvedRecommender, auth: AuthScheme): Record<string, PathItem> {
  const { namespace: ns, key, action } = rec;
  const headers = [...new Set([...rec.variations.values()].flatMap((v) => v.contextHeaders))].sort();
  const base = {
    tags: [ns],
    summary: rec.name ?? `${action} with ${key}`,
    description: recommenderDescription(rec),
  };
  const query = queryParameters(rec, headers);
  const opId = `${OPERATION_PREFIX[action]}.${ns}.${key}`;
  const userId = pathParam('userId', 'User to recommend for.', '1234');

  switch (action) {
    case 'recommend-items':
      return {
        [`/recommend-items/${ns}/${key}/{userId}`]: {
          get: {
            ...base,
            operationId: opId,
            parameters: [userId, ...query, ref('parameters', 'ifNoneMatch')],
            responses: inferenceResponses('RecommendationsResponse', auth, true),
          },
        },
      };
    case 'related-items':
      return {
        [`/related-items/${ns}/${key}/{itemId}`]: {
          get: {
            ...base,
            operationId: opId,
            parameters: [
              pathParam('itemId', 'Item to find related items for.', '1234'),
              ref('parameters', 'relatedUserId'),
              ...query,
              ref('parameters', 'ifNoneMatch'),
            ],
            responses: inferenceResponses('RecommendationsResponse', auth, true),
          },
        },
      };
    case 'rerank-items':
      return {
        [`/rerank-items/${ns}/${key}/{userId}/{itemIds}`]: {
          get: {
            ...base,
            operationId: opId,
            parameters: [userId, itemIdsParam, ...query, ref('parameters', 'ifNoneMatch')],
            responses: inferenceResponses('RankingResponse', auth, true),
          },
        },
        [`/rerank-items/${ns}/${key}/{userId}`]: {
          post: {
            ...base,
            summary: `${base.summary} (item IDs in the body)`,
            operationId: `${opId}.post`,
            parameters: [userId, ...query],
            requestBody: { required: true, content: { 'application/json': { schema: ref('schemas', 'ItemIds') } } },
            responses: inferenceResponses('RankingResponse', auth, false),
          },
        },
      };
  }
}

function eventsPath(ns: string, headers: string[], auth: AuthScheme): Record<string, PathItem> {
  return {
    [`/events/${ns}`]: {
      post: {
        tags: [ns],
        summary: `Record events for ${ns}`,
        description: "Validates the events, fills missing context and fans them out to the namespace's event targets.",
        operationId: `putEvents.${ns}`,
        parameters: headers.map((name) => ({
          name,
          in: 'header',
          required: false,
          description: 'Read by automatic context rules to fill event properties.',
          schema: { type: 'string' },
        })),
        requestBody: { required: true, content: { 'application/json': { schema: ref('schemas', 'EventsRequest') } } },
        responses: {
          '200': {
            description: 'Every target accepted the events.',
            headers: {
              'Cache-Control': ref('headers', 'CacheControl'),
              'X-Personalization-Config-Version': ref('headers', 'ConfigVersion'),
            },
            content: { 'application/json': { schema: ref('schemas', 'EventsResponse') } },
          },
          '400': ref('responses', 'BadRequest'),
          ...authResponses(auth),
          '404': ref('responses', 'NotFound'),
          '413': ref('responses', 'PayloadTooLarge'),
          '500': ref('responses', 'InternalError'),
          '502': ref('responses', 'EventDeliveryFailed'),
          '504': ref('responses', 'EventDeliveryFailed'),
        },
      },
    },
  };
}

/**
 * Builds the OpenAPI document for a configuration (raw or already resolved).
 *
 * @example
 * const doc = generateOpenApi(config, { servers: ['https://d111.cloudfront.net'], auth: 'OAuth2-Cognito' });
 * Object.keys(doc.paths); // ['/recommend-items/my-store/rfy/{userId}', …, '/events/my-store']
 */
export function generateOpenApi(config: ResolvedConfig | Config, options: OpenApiOptions = {}): OpenApiDocument {
  const resolved = isResolved(config) ? config : resolveConfig(config);
  const auth = options.auth ?? 'None';
  const paths: Record<string, PathItem> = {};
  const tags: OpenApiDocument['tags'] = [];
  for (const ns of resolved.namespaces.values()) {
    const description = [ns.name, ns.description].filter(Boolean).join(' — ');
    tags.push({ name: ns.key, ...(description ? { description } : {}) });
    for (const recommenders of Object.values(ns.recommenders)) {
      for (const rec of recommenders.values()) Object.assign(paths, recommenderPaths(rec, auth));
    }
    Object.assign(paths, eventsPath(ns.key, ns.contextHeaders, auth));
  }
  Object.assign(paths, personalizePaths(resolved));
  tags.push(PERSONALIZE_TAG);
  const { components: parts, security } = components(auth);
  return {
    openapi: '3.0.3',
    info: {
      title: resolved.config.title ?? 'Personalization APIs',
      description: resolved.config.description ?? DEFAULT_DESCRIPTION,
      version: resolved.version || '0',
    },
    ...(options.servers && options.servers.length > 0 ? { servers: options.servers.map((url) => ({ url })) } : {}),
    tags,
    paths,
    components: parts,
    ...(security ? { security } : {}),
  };
}
