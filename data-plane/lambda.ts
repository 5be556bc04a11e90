/**
 * The data plane on AWS Lambda behind API Gateway (REST v1 or HTTP v2) or an Application Load Balancer:
 * hono/aws-lambda turns each event into a Request for the same app `p13n serve` runs. Dependencies are built
 * and the first configuration prepared once per execution environment, in the init phase; each
 * invocation drains its background work before returning (Lambda freezes the process after). Structured
 * logs and EMF metrics go through Powertools with the service name `personalization-apis-data-plane`.
 * With active X-Ray tracing, each invocation is a subsegment annotated with what served it (namespace,
 * recommender, variation, cache status), through the Powertools Tracer — loaded only then, as it costs
 * cold-start time.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Context as LambdaContext } from 'aws-lambda';
import type { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { DATA_PLANE_SERVICE, METRICS_NAMESPACE } from '../contracts/metrics.ts';
import type { LogAttributes, Logger } from '../shared/logger.ts';
import type { AppEnv } from './app-env.ts';
import { CACHE_STATUS_HEADER } from './cache/cached-inference.ts';
import { configProviderFromEnv } from './config/provider-from-env.ts';
import { readDataPlaneEnv } from './env.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Metrics } from './metrics.ts';
import { VARIATION_HEADER } from './pipeline/serve-inference.ts';
import { wireDataPlane } from './wiring.ts';

export const SERVICE_NAME = DATA_PLANE_SERVICE;

type HonoLambdaHandler = ReturnType<typeof handle>;
type LambdaEvent = Parameters<HonoLambdaHandler>[0];
type LambdaResult = Awaited<ReturnType<HonoLambdaHandler>>;

export interface LambdaHandlerOptions {
  /** Adds the invocation's request ID and function name to every log line. */
  logger?: PowertoolsLogger;
  /** Flushed after every invocation; the first one also records the `ColdStart` metric. */
  metrics?: PowertoolsMetrics;
  /** Traces each invocation (X-Ray, when active). */
  tracing?: Tracing;
  /** The data plane's lifecycle: configuration catch-up before, background drain after each invocation. */
  lifecycle?: Pick<Lifecycle, 'beforeInvocation' | 'drain'>;
}

/** Runs an invocation in a trace segment and annotates it. */
export interface Tracing {
  trace(run: () => Promise<LambdaResult>, annotations: (result: LambdaResult) => Annotations): Promise<LambdaResult>;
}

type Annotations = Record<string, string | number>;

/** X-Ray through the Powertools Tracer: a subsegment per invocation (Lambda's own segment takes no annotations). */
export function powertoolsTracing(tracer: {
  getSegment(): { addNewSubsegment(name: string): TraceSubsegment } | undefined;
  setSegment(segment: unknown): void;
  putAnnotation(key: string, value: string | number): void;
}): Tracing {
  return {
    async trace(run, annotations) {
      const parent = tracer.getSegment();
      const segment = parent?.addNewSubsegment('## data-plane');
      if (segment) tracer.setSegment(segment);
      try {
        const result = await run();
        for (const [key, value] of Object.entries(annotations(result))) tracer.putAnnotation(key, value);
        return result;
      } catch (err) {
        segment?.addError(err as Error);
        throw err;
      } finally {
        segment?.close();
        if (parent) tracer.setSegment(parent);
      }
    },
  };
}

interface TraceSubsegment {
  addError(err: Error): void;
  close(): void;
}

const INFERENCE_ACTIONS = new Set(['recommend-items', 'related-items', 'rerank-items', 'events']);

/** What a trace says about an invocation: the route's namespace and recommender, and the response's status, variation and cache status. */
export function invocationAnnotations(event: LambdaEvent, result: LambdaResult): Annotations {
  const e = event as { rawPath?: string; path?: string };
  const [, action = '', namespace, recommender] = decodeURI(e.rawPath ?? e.path ?? '').split('/');
  const r = result as {
    statusCode?: number;
    headers?: Record<string, unknown>;
    multiValueHeaders?: Record<string, unknown[]>;
  };
  const header = (name: string) => {
    for (const [key, value] of Object.entries(r.headers ?? {})) if (key.toLowerCase() === name) return String(value);
    for (const [key, values] of Object.entries(r.multiValueHeaders ?? {})) {
      if (key.toLowerCase() === name && values.length > 0) return String(values[0]);
    }
    return undefined;
  };
  const annotations: Annotations = { status: r.statusCode ?? 0 };
  if (INFERENCE_ACTIONS.has(action)) {
    annotations.action = action;
    if (namespace) annotations.namespace = namespace;
    if (recommender && action !== 'events') annotations.recommender = recommender;
  }
  const variation = header(VARIATION_HEADER.toLowerCase());
  if (variation) annotations.variation = variation;
  const cache = header(CACHE_STATUS_HEADER.toLowerCase());
  if (cache) annotations.cacheStatus = cache;
  return annotations;
}

/** Adapts the Powertools Logger to the data plane's logging contract (attributes become top-level keys). */
export function powertoolsLogger(logger: PowertoolsLogger): Logger {
  const level = (name: 'debug' | 'info' | 'warn' | 'error') => (message: string, attributes?: LogAttributes) =>
    attributes ? logger[name](message, attributes as Record<string, never>) : logger[name](message);
  return { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
}

/** Adapts Powertools Metrics to the data plane's metrics contract; dimensioned metrics go out on their own. */
export function powertoolsMetrics(metrics: PowertoolsMetrics): Metrics {
  return {
    add: (name, unit, value, dimensions) => {
      if (!dimensions) return metrics.addMetric(name, unit, value);
      const single = metrics.singleMetric();
      for (const [key, dimension] of Object.entries(dimensions)) single.addDimension(key, dimension);
      single.addMetric(name, unit, value);
    },
  };
}

/** Time kept back from the invocation's remaining time when draining, for the response to get out. */
export const DRAIN_MARGIN_MS = 500;
/** The drain bound when a caller passes no Lambda context (tests). */
const DRAIN_WITHOUT_CONTEXT_MS = 5000;

/**
 * Wraps an app as a Lambda handler for REST v1, HTTP v2 and ALB events. With a lifecycle, each
 * invocation first catches up with a configuration poll that fell due while the environment was frozen,
 * and waits for the background work it started (exposures) before returning — Lambda freezes the
 * process once the handler returns, so unfinished work would run an invocation late or never. The wait
 * is bounded by the invocation's remaining time less DRAIN_MARGIN_MS; what is still running then is
 * aborted and reported.
 *
 * @example
 * export const handler = createLambdaHandler(dataPlane.app, { lifecycle: dataPlane });
 */
export function createLambdaHandler(app: Hono<AppEnv>, options: LambdaHandlerOptions = {}) {
  const handleEvent = handle(app);
  const { lifecycle } = options;
  return async (event: LambdaEvent, context?: LambdaContext): Promise<LambdaResult> => {
    if (context) options.logger?.addContext(context);
    options.metrics?.captureColdStartMetric();
    try {
      await lifecycle?.beforeInvocation();
      const run = () => handleEvent(event, context);
      const result = await (options.tracing
        ? options.tracing.trace(run, (answer) => invocationAnnotations(event, answer))
        : run());
      if (lifecycle) {
        const remaining = context ? context.getRemainingTimeInMillis() - DRAIN_MARGIN_MS : DRAIN_WITHOUT_CONTEXT_MS;
        await lifecycle.drain(Math.max(0, remaining));
      }
      return result;
    } finally {
      options.metrics?.publishStoredMetrics();
    }
  };
}

async function originSecretAuth(secretArn: string) {
  const [{ SecretsManagerClient }, { loadOriginSecret, requireOriginSecret }, { boundedClientConfig }] =
    await Promise.all([
      import('@aws-sdk/client-secrets-manager'),
      import('./auth/origin-secret.ts'),
      import('../shared/bounded-client-config.ts'),
    ]);
  return requireOriginSecret(await loadOriginSecret(new SecretsManagerClient(boundedClientConfig()), secretArn));
}

async function coldStart() {
  const powertools = new PowertoolsLogger({ serviceName: SERVICE_NAME });
  const logger = powertoolsLogger(powertools);
  const metrics = new PowertoolsMetrics({ serviceName: SERVICE_NAME, namespace: METRICS_NAMESPACE });
  try {
    const env = readDataPlaneEnv(process.env);
    const config = await configProviderFromEnv(env, { logger });
    // Behind CloudFront: only requests carrying its secret origin header get through. Loaded only then:
    // the Secrets Manager client is no part of the init phase elsewhere.
    const auth = env.P13N_ORIGIN_SECRET_ARN ? await originSecretAuth(env.P13N_ORIGIN_SECRET_ARN) : undefined;
    // One request at a time: what a replaced configuration used can be released at once.
    const dataPlane = wireDataPlane({
      env,
      config,
      logger,
      metrics: powertoolsMetrics(metrics),
      releaseGraceMs: 0,
      auth,
    });
    await dataPlane.start();
    const tracing =
      env.AWS_XRAY_DAEMON_ADDRESS && env.POWERTOOLS_TRACE_ENABLED !== 'false'
        ? powertoolsTracing(new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: SERVICE_NAME }))
        : undefined;
    return createLambdaHandler(dataPlane.app, { logger: powertools, metrics, lifecycle: dataPlane, tracing });
  } catch (err) {
    powertools.error('data plane could not start', err as Error);
    throw err;
  } finally {
    metrics.publishStoredMetrics();
  }
}

// On Lambda the first configuration is prepared during the init phase (stores downloaded, models
// trained), which runs before the first event and is not frozen; elsewhere (tests, tools importing the
// bundle) nothing starts until the first call.
let ready: ReturnType<typeof coldStart> | undefined = process.env.AWS_LAMBDA_RUNTIME_API ? coldStart() : undefined;
await ready?.catch(() => {
  ready = undefined;
});

/** The Lambda entry point. A failed start is retried at the next invocation. */
export async function handler(event: LambdaEvent, context?: LambdaContext): Promise<LambdaResult> {
  ready ??= coldStart();
  let handleEvent: Awaited<typeof ready>;
  try {
    handleEvent = await ready;
  } catch (err) {
    ready = undefined;
    throw err;
  }
  return handleEvent(event, context);
}
