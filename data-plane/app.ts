/**
 * The data plane's Hono app, built from its dependencies so the Lambda handler, `p13n serve` and the tests
 * share one app and differ only in what they pass in. `createApp` takes what it is given: the defaults
 * live in wiring.ts (`buildApp`, `wireDataPlane`). It does not know where it runs — a runtime adapter
 * that wants to index cached responses (the Node server's shortcut) passes `onResponseCached`.
 * Every response carries `X-Personalization-Config-Version`, every error is `{type, code, message}` JSON,
 * and no stack trace ever reaches a client.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ResolvedConfig } from '../schema/resolve-config.ts';
import { describeError, type Logger } from '../shared/logger.ts';
import { type AppEnv, CONFIG_VERSION_HEADER } from './app-env.ts';
import { CACHE_STATUS_HEADER, type InferenceHandler, type ServedResponse } from './cache/cached-inference.ts';
import type { ConfigProvider } from './config/types.ts';
import { type CorsOptions, cors, corsResponseHeaders } from './cors.ts';
import { startDeadline } from './deadline.ts';
import { ApiError, type ErrorBody, NotFoundError } from './errors.ts';
import type { EventsService } from './events/events-service.ts';
import { hasFinalHeaders } from './final-headers.ts';
import type { Metrics } from './metrics.ts';
import { mountInferenceRoutes } from './pipeline/inference-routes.ts';
import { FALLBACK_HEADER, RECOMMENDATION_ID_HEADER, VARIATION_HEADER } from './pipeline/serve-inference.ts';

export interface ResponseInfo {
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

/** A response the response cache served or stored, with the runtime's bindings of its request. */
export interface CachedResponseInfo {
  /** Hono's `c.env`: the Node server's `{ incoming, outgoing }`, the Lambda event, … */
  env: unknown;
  config: ResolvedConfig;
  cached: NonNullable<ServedResponse['cached']>;
  /** Headers the app adds to every response besides the cached ones (CORS, config version). */
  headers: Record<string, string>;
}

export interface AppDeps {
  config: Pick<ConfigProvider, 'current'>;
  /** Each request's total budget in milliseconds: the deadline every step it waits on shares. */
  requestBudgetMs: number;
  logger: Logger;
  metrics: Metrics;
  /** Inference through the pipeline, usually behind the response cache. */
  inference: InferenceHandler;
  /** `POST /events`, exposures and experiment clients. */
  events: EventsService;
  /** Mounts more routes (OpenAPI, docs) before the 404 fallback. */
  extraRoutes?: (app: Hono<AppEnv>) => void;
  /** Called after every response (request logs in `p13n serve`, metrics on Lambda). */
  onResponse?: (info: ResponseInfo) => void;
  /** Authentication (`p13n serve`): runs after CORS, so preflight requests never reach it. */
  auth?: MiddlewareHandler<AppEnv>;
  /** Called when the response cache served or stored a response (the Node server indexes them). */
  onResponseCached?: (info: CachedResponseInfo) => void;
}

const INTERNAL_ERROR: ErrorBody = { type: 'ServerError', code: 'InternalError', message: 'internal error' };

/**
 * @example
 * const app = createApp({ config, logger, metrics, inference, events });
 * const res = await app.request('/recommend-items/retail/for-you/u1?numResults=5');
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { metrics } = deps;
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
      const deadline = startDeadline(deps.requestBudgetMs);
      c.set('deadline', deadline);
      try {
        await next();
      } finally {
        deadline.dispose();
      }
      if (!hasFinalHeaders(c.res)) c.res.headers.set(CONFIG_VERSION_HEADER, config.version);
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
      VARIATION_HEADER,
    ],
    maxAge: 600,
  };
  app.use(cors(corsOptions));
  const corsHeaders = corsResponseHeaders(corsOptions);
  if (deps.auth) app.use(deps.auth);

  // What the middleware adds to every answer, made once per configuration.
  const addedHeaders = new WeakMap<ResolvedConfig, Record<string, string>>();
  const headersAddedFor = (config: ResolvedConfig) => {
    let headers = addedHeaders.get(config);
    if (!headers) {
      headers = { ...corsHeaders, [CONFIG_VERSION_HEADER]: config.version };
      addedHeaders.set(config, headers);
    }
    return headers;
  };
  const { onResponseCached } = deps;
  mountInferenceRoutes(app, {
    inference: deps.inference,
    addedHeaders: headersAddedFor,
    onCached: onResponseCached
      ? (c, cached) => {
          const config = c.get('config');
          onResponseCached({ env: c.env, config, cached, headers: headersAddedFor(config) });
        }
      : undefined,
  });
  deps.events.mount(app);
  deps.extraRoutes?.(app);

  app.notFound((c) =>
    c.json(new NotFoundError('NotFound', `no route for ${c.req.method} ${c.req.path}`).toBody(), 404),
  );

  app.onError((err, c) => {
    if (err instanceof ApiError) {
      for (const [name, value] of Object.entries(err.responseHeaders())) c.header(name, value);
      if (err.status < 500) return c.json(err.toBody(), err.status);
      // The client gets a safe message and the ID its details were logged under.
      const requestId = crypto.randomUUID();
      deps.logger.warn('request failed', { path: c.req.path, requestId, error: describeError(err) });
      return c.json({ ...err.toBody(), requestId }, err.status);
    }
    if (err instanceof HTTPException && err.status < 500) {
      return c.json({ type: 'ClientError', code: 'BadRequest', message: err.message || 'bad request' }, err.status);
    }
    const requestId = crypto.randomUUID();
    deps.logger.error('unexpected error', { path: c.req.path, requestId, error: describeError(err, true) });
    return c.json({ ...INTERNAL_ERROR, requestId }, 500);
  });

  return app;
}
