/**
 * The data plane's Hono app, built from its dependencies so the Lambda handler, `p13n serve` and the tests
 * share one app and differ only in what they pass in. Inference routes call the pipeline
 * (`serveInference`); other features mount their routes through `extraRoutes`. Every response carries
 * `X-Personalization-Config-Version`, every error is `{type, code, message}` JSON, and no stack trace
 * ever reaches a client.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import * as z from 'zod';
import type { ResolvedConfig } from '../schema/resolve-config.ts';
import type { AwsClients } from './aws-clients.ts';
import {
  CACHE_STATUS_HEADER,
  createCachedInference,
  type InferenceHandler,
  type ResponseCacheOptions,
} from './cache/cached-inference.ts';
import { incomingOf, type RawHits } from './cache/raw-hits.ts';
import type { ConfigProvider } from './config/types.ts';
import { type CorsOptions, cors, corsResponseHeaders } from './cors.ts';
import {
  ApiError,
  BadRequestError,
  type ErrorBody,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
} from './errors.ts';
import { createEventsFeature, type EventsFeature } from './events/feature.ts';
import type { LearnFunction } from './events/targets/types.ts';
import type { ItemMetadataStores } from './item-metadata/types.ts';
import { describeError, type Logger } from './logger.ts';
import { type Metrics, noMetrics } from './metrics.ts';
import { defaultResolvers } from './origins/default-resolvers.ts';
import type { OriginResolvers } from './origins/types.ts';
import { headerLookup } from './pipeline/auto-context.ts';
import {
  FALLBACK_HEADER,
  type InferenceRequest,
  type PipelineDeps,
  RECOMMENDATION_ID_HEADER,
  serveInference,
} from './pipeline/serve-inference.ts';
import { type CircuitBreakerOptions, CircuitBreakers, CircuitOpenError } from './resilience/circuit-breaker.ts';

export const CONFIG_VERSION_HEADER = 'X-Personalization-Config-Version';

/** Largest accepted request body (POST rerank-items: 500 IDs of 256 characters fit with room to spare). */
export const MAX_BODY_BYTES = 256 * 1024;

/** Hono environment of the app: handlers read the configuration snapshot of their request with `c.get('config')`. */
export type AppEnv = { Variables: { config: ResolvedConfig } };

export interface ResponseInfo {
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

export interface AppDeps {
  config: ConfigProvider;
  clients: AwsClients;
  /** Origin resolvers by variation type; defaults to the network origins over `clients`. */
  resolvers?: OriginResolvers;
  itemMetadata?: ItemMetadataStores;
  logger: Logger;
  metrics?: Metrics;
  /** Epoch milliseconds (default Date.now). */
  clock?: () => number;
  /** IANA zone for time-based context when the viewer's is unknown (default UTC). */
  defaultTimeZone?: string;
  /** Feeds posted events to the embedded recommenders (`builtin` event targets fail without it). */
  learn?: LearnFunction;
  /** `POST /events`, exposures and experiment clients (default: built over `logger`, `clock` and `learn`). */
  events?: EventsFeature;
  /** Mounts more routes (OpenAPI, docs) before the 404/405 fallbacks. */
  extraRoutes?: (app: Hono<AppEnv>) => void;
  /** Called after every response (request logs in `p13n serve`, metrics on Lambda). */
  onResponse?: (info: ResponseInfo) => void;
  /** In-process response cache with single-flight and stale-if-error (on by default); `false` turns it off. */
  responseCache?: ResponseCacheOptions | false;
  /** A circuit breaker per origin (on by default); `false` turns them off. */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Authentication (`p13n serve`): runs after CORS, so preflight requests never reach it. */
  auth?: MiddlewareHandler<AppEnv>;
  /** The Node server's cache-hit shortcut (`p13n serve` without authentication); the app registers hits in it. */
  rawHits?: RawHits;
}

const itemIdsSchema = (name: string) =>
  z
    .array(
      z
        .string({ error: `${name} must hold item ID strings` })
        .min(1, { error: `${name} must not hold empty item IDs` })
        .max(256, { error: `${name} holds an item ID longer than 256 characters` }),
      { error: `${name} must be a JSON array of item ID strings` },
    )
    .min(1, { error: `${name} must hold at least one item ID` })
    .max(500, { error: `${name} may hold at most 500 item IDs` });

function validItemIds(value: unknown, name: string): string[] {
  const parsed = itemIdsSchema(name).safeParse(value);
  if (!parsed.success) throw new BadRequestError('InvalidParameter', parsed.error.issues[0]!.message);
  return parsed.data;
}

function pathParam(c: Context, name: string): string {
  const value = c.req.param(name) ?? '';
  if (value.length === 0 || value.length > 256) {
    throw new BadRequestError('InvalidParameter', `${name} must be 1 to 256 characters`);
  }
  return value;
}

/** The comma-separated item IDs of GET rerank-items, split before decoding so an encoded comma stays in its ID. */
function itemIdsFromPath(url: string): string[] {
  const raw = new URL(url).pathname.split('/')[5] ?? '';
  return validItemIds(
    raw.split(',').map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    }),
    'itemIds',
  );
}

const INTERNAL_ERROR: ErrorBody = { type: 'ServerError', code: 'InternalError', message: 'internal error' };

/**
 * @example
 * const config = createFileConfigProvider({ file: 'config.json', logger });
 * await config.start();
 * const app = createApp({ config, clients: createAwsClients(), logger });
 * const res = await app.request('/recommend-items/retail/for-you/u1?numResults=5');
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const clock = deps.clock ?? Date.now;
  const metrics = deps.metrics ?? noMetrics;
  const defaultTimeZone = deps.defaultTimeZone ?? 'UTC';
  const events = deps.events ?? createEventsFeature({ logger: deps.logger, clock, defaultTimeZone, learn: deps.learn });
  const pipeline: PipelineDeps = {
    resolvers: deps.resolvers ?? defaultResolvers(deps.clients),
    itemMetadata: deps.itemMetadata,
    lambda: () => deps.clients.lambda(),
    clock,
    defaultTimeZone,
    logger: deps.logger,
    metrics,
    breakers:
      deps.circuitBreaker === false
        ? undefined
        : new CircuitBreakers(deps.circuitBreaker ?? {}, { clock, logger: deps.logger, metrics }),
    experiments: events.experiments,
    onExposure: events.recordExposure,
  };
  const inference: InferenceHandler =
    deps.responseCache === false
      ? (config, request) => serveInference(pipeline, config, request)
      : createCachedInference(pipeline, deps.responseCache);
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const started = performance.now();
    let config: ResolvedConfig | undefined;
    try {
      config = deps.config.current();
    } catch (err) {
      deps.logger.error('no configuration to serve with', { error: describeError(err) });
    }
    if (config) {
      c.set('config', config);
      await next();
      c.res.headers.set(CONFIG_VERSION_HEADER, config.version);
    } else {
      c.res = c.json(
        {
          type: 'ServerError',
          code: 'ConfigurationUnavailable',
          message: 'no configuration loaded',
        } satisfies ErrorBody,
        503,
      );
    }
    const status = c.res.status;
    metrics.add(status >= 500 ? 'ServerErrorResponse' : status >= 400 ? 'ClientErrorResponse' : 'Response', 'Count', 1);
    deps.onResponse?.({ method: c.req.method, path: c.req.path, status, durationMs: performance.now() - started });
  });

  const corsOptions: CorsOptions = {
    allowMethods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Authorization', 'X-Api-Key', 'If-None-Match'],
    exposeHeaders: [
      CONFIG_VERSION_HEADER,
      'ETag',
      'Cache-Control',
      'Age',
      CACHE_STATUS_HEADER,
      FALLBACK_HEADER,
      RECOMMENDATION_ID_HEADER,
    ],
    maxAge: 600,
  };
  app.use(cors(corsOptions));
  const rawHits = deps.auth ? undefined : deps.rawHits;
  const corsHeaders = corsResponseHeaders(corsOptions);
  if (deps.auth) app.use(deps.auth);

  const respond = async (c: Context<AppEnv>, request: Omit<InferenceRequest, 'query' | 'headers' | 'method'>) => {
    const config = c.get('config');
    const res = await inference(config, {
      ...request,
      method: c.req.method === 'POST' ? 'POST' : 'GET',
      query: c.req.query(),
      headers: headerLookup(c.req.raw.headers),
    });
    const incoming = rawHits && res.cached && incomingOf(c.env);
    if (rawHits && incoming && res.cached) {
      rawHits.remember(incoming, config, res.cached, { ...corsHeaders, [CONFIG_VERSION_HEADER]: config.version });
    }
    return res.status === 304 ? c.body(null, 304, res.headers) : c.body(res.body, 200, res.headers);
  };

  app.get('/recommend-items/:namespace/:recommender/:userId', (c) =>
    respond(c, {
      action: 'recommend-items',
      namespace: c.req.param('namespace'),
      recommender: c.req.param('recommender'),
      userId: pathParam(c, 'userId'),
    }),
  );
  app.get('/related-items/:namespace/:recommender/:itemId', (c) =>
    respond(c, {
      action: 'related-items',
      namespace: c.req.param('namespace'),
      recommender: c.req.param('recommender'),
      itemId: pathParam(c, 'itemId'),
    }),
  );
  app.get('/rerank-items/:namespace/:recommender/:userId/:itemIds', (c) =>
    respond(c, {
      action: 'rerank-items',
      namespace: c.req.param('namespace'),
      recommender: c.req.param('recommender'),
      userId: pathParam(c, 'userId'),
      itemList: itemIdsFromPath(c.req.url),
    }),
  );
  app.post(
    '/rerank-items/:namespace/:recommender/:userId',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new PayloadTooLargeError(MAX_BODY_BYTES);
      },
    }),
    async (c) => {
      const userId = pathParam(c, 'userId');
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        throw new BadRequestError('InvalidBody', 'body must be a JSON array of item ID strings');
      }
      return respond(c, {
        action: 'rerank-items',
        namespace: c.req.param('namespace'),
        recommender: c.req.param('recommender'),
        userId,
        itemList: validItemIds(body, 'body'),
      });
    },
  );

  events.mount(app);
  deps.extraRoutes?.(app);

  const allowed: Array<[string, string[]]> = [
    ['/recommend-items/:namespace/:recommender/:userId', ['GET', 'HEAD']],
    ['/related-items/:namespace/:recommender/:itemId', ['GET', 'HEAD']],
    ['/rerank-items/:namespace/:recommender/:userId/:itemIds', ['GET', 'HEAD']],
    ['/rerank-items/:namespace/:recommender/:userId', ['POST']],
  ];
  for (const [path, methods] of allowed) {
    app.all(path, (c) => {
      throw new MethodNotAllowedError(c.req.method, methods);
    });
  }

  app.notFound((c) =>
    c.json(new NotFoundError('NotFound', `no route for ${c.req.method} ${c.req.path}`).toBody(), 404),
  );

  app.onError((err, c) => {
    if (err instanceof ApiError) {
      if (err.status >= 500) deps.logger.warn('request failed', { path: c.req.path, error: describeError(err) });
      if (err instanceof MethodNotAllowedError) c.header('Allow', err.allow.join(', '));
      if (err instanceof CircuitOpenError) c.header('Retry-After', String(err.retryAfterSeconds));
      return c.json(err.toBody(), err.status);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json({ type: 'ClientError', code: 'BadRequest', message: err.message || 'bad request' }, err.status);
    }
    deps.logger.error('unexpected error', { path: c.req.path, error: describeError(err, true) });
    return c.json(INTERNAL_ERROR, 500);
  });

  return app;
}
