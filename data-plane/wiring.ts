/**
 * Builds the data-plane app for an entry point from validated environment settings and a started
 * configuration provider: AWS clients, the origin resolvers (network origins plus the embedded
 * recommender), the item-metadata stores, the live OpenAPI document and (for serve) Swagger UI. The Lambda handler and `p13n serve`
 * both come through here, so an origin type or store added to the product is wired once.
 */
import type { Hono } from 'hono';
import type { ResolvedConfig } from '../schema/resolve-config.ts';
import { type AppDeps, type AppEnv, createApp } from './app.ts';
import { createAwsClients } from './aws-clients.ts';
import { responseCacheFromEnv } from './cache/options-from-env.ts';
import type { ConfigProvider } from './config/types.ts';
import { openApiRoute } from './docs/openapi-route.ts';
import { docsRoutes } from './docs/swagger-ui.ts';
import type { DataPlaneEnv } from './env.ts';
import { createItemMetadataStores } from './item-metadata/stores.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { createBuiltinModels } from './origins/builtin/registry.ts';
import { createBuiltinResolver } from './origins/builtin/resolver.ts';
import { defaultResolvers } from './origins/default-resolvers.ts';

export interface WiringOptions {
  env: DataPlaneEnv;
  config: ConfigProvider;
  logger: Logger;
  metrics?: Metrics;
  onResponse?: AppDeps['onResponse'];
  /** Serve Swagger UI at `/docs` (p13n serve; the Lambda leaves it to the deployment's docs site). */
  docs?: boolean;
  /** Authentication middleware (p13n serve's API keys / JWT). */
  auth?: AppDeps['auth'];
  /** The Node server's cache-hit shortcut (p13n serve). */
  rawHits?: AppDeps['rawHits'];
  /** More route groups to mount (p13n serve's experiments dashboard). */
  routes?: Array<Hono<AppEnv>>;
}

export interface DataPlane {
  app: Hono<AppEnv>;
  /**
   * Gets a configuration ready to serve before traffic arrives: builds local item-metadata stores from
   * their `sourceFile` when missing or stale and trains the embedded recommenders.
   */
  prepare(resolved: ResolvedConfig): Promise<void>;
  close(): Promise<void>;
}

/**
 * @example
 * const dataPlane = wireDataPlane({ env: readDataPlaneEnv(process.env), config, logger });
 * await dataPlane.prepare(config.current());
 */
export function wireDataPlane(options: WiringOptions): DataPlane {
  const { env, logger } = options;
  const clients = createAwsClients(env.AWS_REGION ? { region: env.AWS_REGION } : {});
  const itemMetadata = createItemMetadataStores({
    dataDir: env.P13N_DATA_DIR ?? 'data',
    stagingBucket: env.P13N_STAGING_BUCKET,
    clients: {
      dynamodb: clients.dynamodb(),
      ...(env.P13N_STAGING_BUCKET ? { s3: clients.s3() } : {}),
    },
    logger,
  });
  const builtin = createBuiltinModels({ logger });
  const app = createApp({
    config: options.config,
    clients,
    resolvers: { ...defaultResolvers(clients), builtin: createBuiltinResolver(builtin) },
    learn: builtin.learn,
    itemMetadata,
    logger,
    metrics: options.metrics,
    defaultTimeZone: env.P13N_DEFAULT_TIME_ZONE,
    onResponse: options.onResponse,
    extraRoutes: (routes) => {
      routes.route('/', openApiRoute());
      if (options.docs) routes.route('/', docsRoutes());
      for (const group of options.routes ?? []) routes.route('/', group);
    },
    responseCache: responseCacheFromEnv(env),
    auth: options.auth,
    rawHits: options.rawHits,
  });
  return {
    app,
    prepare: async (resolved) => {
      await Promise.all([itemMetadata.prepare(resolved), builtin.prepare(resolved)]);
    },
    close: () => itemMetadata.close(),
  };
}
