/**
 * The data plane's composition root, and the only place that fills in defaults. `buildApp` completes
 * an app's dependencies (clock, metrics, time zone, origin resolvers over the AWS clients, circuit
 * breakers, the response cache, events and experiments) and builds it; tests call it with fakes for
 * any part. `wireDataPlane` builds everything an entry point needs from validated environment
 * settings and a started configuration provider: AWS clients, the origin resolvers (network origins
 * plus the embedded recommender), the item-metadata stores, the live OpenAPI document and (for serve)
 * Swagger UI. The Lambda handler and `p13n serve` both come through here, so an origin type or store
 * added to the product is wired once.
 */
import type { Hono } from 'hono';
import type { ResolvedConfig, VariationType } from '../schema/resolve-config.ts';
import type { AwsClients } from '../shared/aws-clients.ts';
import { createAwsClients } from '../shared/aws-clients.ts';
import type { Logger } from '../shared/logger.ts';
import { onDemandCall } from '../shared/on-demand.ts';
import { openApiRoute } from './api-docs/openapi-route.ts';
import { docsRoutes } from './api-docs/swagger-ui.ts';
import { type AppDeps, createApp } from './app.ts';
import type { AppEnv } from './app-env.ts';
import { createCachedInference, type InferenceHandler, type ResponseCacheOptions } from './cache/cached-inference.ts';
import { responseCacheFromEnv } from './cache/options-from-env.ts';
import type { ConfigProvider } from './config/types.ts';
import { DEFAULT_REQUEST_BUDGET_MS } from './deadline.ts';
import type { DataPlaneEnv } from './env.ts';
import { type BackgroundTasks, createBackgroundTasks } from './events/background.ts';
import { type DeliveryLedger, type LedgerTiming, memoryLedger } from './events/delivery-ledger.ts';
import { createEventsService, type EventsService } from './events/events-service.ts';
import type { LearnFunction } from './events/targets/types.ts';
import { evidentlyModule } from './experiments/evidently-module.ts';
import { createItemMetadataStores } from './item-metadata/stores.ts';
import type { ItemMetadataStores } from './item-metadata/types.ts';
import { createLifecycle, type Lifecycle } from './lifecycle.ts';
import { type Metrics, noMetrics } from './metrics.ts';
import { createBuiltinModels } from './origins/builtin/registry.ts';
import { createBuiltinResolver } from './origins/builtin/resolver.ts';
import { defaultResolvers, functionInvoker } from './origins/default-resolvers.ts';
import type { OriginResolvers } from './origins/types.ts';
import { isPersonalizeApiPath, type PersonalizeApiDeps, personalizeApi } from './personalize-api/personalize-api.ts';
import { parseSigV4Credentials } from './personalize-api/sigv4.ts';
import { type PipelineDeps, serveInference } from './pipeline/serve-inference.ts';
import { variationCircuitKey } from './resilience/call-with-fallback.ts';
import { type CircuitBreakerOptions, CircuitBreakers } from './resilience/circuit-breaker.ts';

/** What `buildApp` accepts: the app's own dependencies plus the parts it builds them from. */
export interface AppOptions extends Omit<AppDeps, 'metrics' | 'inference' | 'events' | 'requestBudgetMs'> {
  /** Each request's total budget (default DEFAULT_REQUEST_BUDGET_MS). */
  requestBudgetMs?: number;
  clients: AwsClients;
  /** Origin resolvers by variation type; defaults to the network origins over `clients`. */
  resolvers?: OriginResolvers;
  itemMetadata?: ItemMetadataStores;
  metrics?: Metrics;
  /** Epoch milliseconds (default Date.now). */
  clock?: () => number;
  /** IANA zone for time-based context when the viewer's is unknown (default UTC). */
  defaultTimeZone?: string;
  /** Feeds posted events to the embedded recommenders (`builtin` event targets fail without it). */
  learn?: LearnFunction;
  /** Default: built over `clients`, `logger`, `clock`, `learn`, `background` and `ledger`. */
  events?: EventsService;
  /** What each event target took, so retried events reach only the targets that failed (default none). */
  ledger?: DeliveryLedger;
  /** Where exposures run after the response (default: bounded, each task limited to the request budget). */
  background?: BackgroundTasks;
  /** Circuit breakers to use (default: built from `circuitBreaker`). */
  breakers?: CircuitBreakers;
  /** In-process response cache with single-flight and stale-if-error (on by default); `false` turns it off. */
  responseCache?: ResponseCacheOptions | false;
  /** A circuit breaker per origin (on by default); `false` turns them off. */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Access keys whose SigV4 signatures the Personalize-compatible API accepts (otherwise it uses `auth`). */
  sigv4?: PersonalizeApiDeps['sigv4'];
}

/**
 * @example
 * const app = buildApp({ config, clients: createAwsClients(), logger });
 * const res = await app.request('/recommend-items/retail/for-you/u1?numResults=5');
 */
export function buildApp(options: AppOptions): Hono<AppEnv> {
  return composeApp(options).app;
}

/**
 * The app, and what gets a configuration's on-demand parts ready before it serves: the modules and SDK
 * clients of the origins, post-processors and event targets it uses (wireDataPlane's lifecycle calls
 * it; without it each loads at its first call).
 */
function composeApp(options: AppOptions): { app: Hono<AppEnv>; prepare(config: ResolvedConfig): Promise<void> } {
  const { clients, logger } = options;
  const clock = options.clock ?? Date.now;
  const metrics = options.metrics ?? noMetrics;
  const defaultTimeZone = options.defaultTimeZone ?? 'UTC';
  const requestBudgetMs = options.requestBudgetMs ?? DEFAULT_REQUEST_BUDGET_MS;
  const events =
    options.events ??
    createEventsService({
      clients,
      logger,
      metrics,
      clock,
      defaultTimeZone,
      learn: options.learn,
      ledger: options.ledger,
      background: options.background ?? createBackgroundTasks({ logger, metrics, taskTimeoutMs: requestBudgetMs }),
    });
  const resolvers = options.resolvers ?? defaultResolvers(clients);
  const invokeFunction = functionInvoker(clients);
  const pipeline: PipelineDeps = {
    resolvers,
    itemMetadata: options.itemMetadata,
    invokeFunction,
    clock,
    defaultTimeZone,
    logger,
    metrics,
    breakers:
      options.breakers ??
      (options.circuitBreaker === false
        ? undefined
        : new CircuitBreakers(options.circuitBreaker ?? {}, { clock, logger, metrics })),
    experiments: events.experiments,
    onExposure: events.recordExposure,
  };
  const inference: InferenceHandler =
    options.responseCache === false
      ? (config, request) => serveInference(pipeline, config, request)
      : createCachedInference(pipeline, options.responseCache);
  const { auth } = options;
  const prepare = async (config: ResolvedConfig) => {
    const { types, postProcessors, evidently } = originsOf(config);
    await Promise.all([
      ...[...types].map((type) => resolvers[type]?.load?.()),
      postProcessors ? invokeFunction.load() : undefined,
      evidently ? Promise.all([evidentlyModule.load(), clients.evidently()]) : undefined,
      events.prepare(config),
    ]);
  };
  const app = createApp({
    config: options.config,
    requestBudgetMs,
    logger,
    metrics,
    inference,
    events,
    extraRoutes: (routes) => {
      routes.route(
        '/',
        personalizeApi({
          inference,
          events,
          itemMetadata: options.itemMetadata,
          logger,
          clock,
          sigv4: options.sigv4,
          auth,
        }),
      );
      options.extraRoutes?.(routes);
    },
    onResponse: options.onResponse,
    // The Personalize-compatible paths authenticate (and answer refusals) in the service's own way.
    auth: auth && ((c, next) => (isPersonalizeApiPath(c.req.path) ? next() : auth(c, next))),
    // Cache hits answered before the app would skip authentication, which must see every request.
    onResponseCached: options.auth ? undefined : options.onResponseCached,
  });
  return { app, prepare };
}

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
  /** The runtime adapter's hook on cached responses (the Node server's shortcut). */
  onResponseCached?: AppDeps['onResponseCached'];
  /** More route groups to mount (p13n serve's experiments dashboard). */
  routes?: Array<Hono<AppEnv>>;
  /**
   * How long what a replaced configuration used stays open (default: the request budget, so requests
   * still running under it finish). The Lambda passes 0: it handles one request at a time.
   */
  releaseGraceMs?: number;
}

export interface DataPlane extends Lifecycle {
  app: Hono<AppEnv>;
}

/**
 * Builds the data plane and its lifecycle; nothing serves until `start()` has prepared the first
 * configuration.
 *
 * @example
 * const dataPlane = wireDataPlane({ env: readDataPlaneEnv(process.env), config, logger });
 * await dataPlane.start();                     // the first configuration, prepared
 * serve(dataPlane.app);                        // …
 * await dataPlane.drain(5000); await dataPlane.close();
 */
export function wireDataPlane(options: WiringOptions): DataPlane {
  const { env, logger } = options;
  const metrics = options.metrics ?? noMetrics;
  const clients = createAwsClients({
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    disableHostPrefix: Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_EVIDENTLY),
  });
  const itemMetadata = createItemMetadataStores({
    dataDir: env.P13N_DATA_DIR ?? 'data',
    stagingBucket: env.P13N_STAGING_BUCKET,
    clients,
    logger,
  });
  const builtin = createBuiltinModels({
    logger,
    // Events may teach the embedded recommender only items the namespace's catalogue holds.
    catalogue: async (namespace, itemIds) => {
      const metadata = options.config.current().namespaces.get(namespace)?.inferenceItemMetadata;
      const store = metadata && itemMetadata(namespace, metadata);
      return new Set(store ? (await store.getMany(itemIds)).keys() : []);
    },
  });
  const breakers = new CircuitBreakers({}, { clock: Date.now, logger, metrics });
  const background = createBackgroundTasks({ logger, metrics, taskTimeoutMs: env.P13N_REQUEST_BUDGET_MS });
  // A claim outlives the request that holds it by a margin, so a slow target is never sent the same events twice.
  const ledgerTiming = {
    ttlSeconds: env.P13N_EVENT_IDEMPOTENCY_SECONDS,
    claimMs: env.P13N_REQUEST_BUDGET_MS + 2000,
    clock: Date.now,
  };
  const tableName = env.P13N_EVENT_IDEMPOTENCY_TABLE;
  const ledger = tableName ? onDemandLedger(clients, { ...ledgerTiming, tableName }) : memoryLedger(ledgerTiming);
  const { app, prepare } = composeApp({
    config: options.config,
    clients,
    resolvers: { ...defaultResolvers(clients), builtin: createBuiltinResolver(builtin) },
    learn: builtin.learn,
    ledger,
    itemMetadata,
    logger,
    metrics,
    defaultTimeZone: env.P13N_DEFAULT_TIME_ZONE,
    requestBudgetMs: env.P13N_REQUEST_BUDGET_MS,
    background,
    breakers,
    onResponse: options.onResponse,
    extraRoutes: (routes) => {
      routes.route('/', openApiRoute());
      if (options.docs) routes.route('/', docsRoutes());
      for (const group of options.routes ?? []) routes.route('/', group);
    },
    responseCache: responseCacheFromEnv(env),
    auth: options.auth,
    ...(env.P13N_SIGV4_CREDENTIALS
      ? { sigv4: { credentials: parseSigV4Credentials(env.P13N_SIGV4_CREDENTIALS) } }
      : {}),
    onResponseCached: options.onResponseCached,
  });
  const lifecycle = createLifecycle({
    provider: options.config,
    parts: [
      itemMetadata,
      {
        prepare: (config) => builtin.prepare(config),
        retain: (config) => builtin.retain(config),
        close: async () => {},
      },
      {
        prepare: async () => {},
        retain: async (config) => breakers.retain((key) => circuitKeysOf(config).has(key)),
        close: async () => {},
      },
      { prepare, retain: async () => {}, close: async () => {} },
    ],
    background,
    logger,
    metrics,
    prepareWaitMs: env.P13N_PREPARE_WAIT_MS,
    releaseGraceMs: options.releaseGraceMs ?? env.P13N_REQUEST_BUDGET_MS,
  });
  return {
    app,
    ...lifecycle,
    async close() {
      await lifecycle.close();
      clients.destroy();
    },
  };
}

/** The DynamoDB ledger, its module and client loaded with the first configuration that has event targets. */
function onDemandLedger(clients: AwsClients, options: LedgerTiming & { tableName: string }): DeliveryLedger {
  const claim = onDemandCall(async () => {
    const [{ dynamodbLedger }] = await Promise.all([import('./events/dynamodb-ledger.ts'), clients.load('dynamodb')]);
    const ledger = dynamodbLedger({ ...options, client: () => clients.dynamodb() });
    return (...args: Parameters<DeliveryLedger['claim']>) => ledger.claim(...args);
  });
  return { claim, load: claim.load };
}

/** The variation types of a configuration, and whether any recommender has a post-processor or an Evidently experiment. */
function originsOf(config: ResolvedConfig): { types: Set<VariationType>; postProcessors: boolean; evidently: boolean } {
  const types = new Set<VariationType>();
  let postProcessors = false;
  let evidently = false;
  for (const ns of config.namespaces.values()) {
    for (const byKey of Object.values(ns.recommenders)) {
      for (const recommender of byKey.values()) {
        if (recommender.responsePostProcessor) postProcessors = true;
        for (const experiment of recommender.experiments.values())
          if (experiment.method === 'evidently') evidently = true;
        for (const variation of recommender.variations.values()) types.add(variation.type);
      }
    }
  }
  return { types, postProcessors, evidently };
}

/** The circuit-breaker keys of every variation of a configuration. */
function circuitKeysOf(config: ResolvedConfig): Set<string> {
  const keys = new Set<string>();
  for (const [namespace, ns] of config.namespaces) {
    for (const byKey of Object.values(ns.recommenders)) {
      for (const recommender of byKey.values()) {
        for (const variation of recommender.variations.values()) {
          keys.add(variationCircuitKey(namespace, recommender, variation));
        }
      }
    }
  }
  return keys;
}
