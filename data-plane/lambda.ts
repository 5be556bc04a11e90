/**
 * The data plane on AWS Lambda behind API Gateway (REST v1 or HTTP v2) or an Application Load Balancer:
 * hono/aws-lambda turns each event into a Request for the same app `p13n serve` runs. Dependencies are built
 * and the first configuration prepared once per execution environment, in the init phase; each
 * invocation drains its background work before returning (Lambda freezes the process after). Structured
 * logs and EMF metrics go through Powertools with the service name `personalization-apis-data-plane`.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { Context as LambdaContext } from 'aws-lambda';
import type { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import type { LogAttributes, Logger } from '../shared/logger.ts';
import type { AppEnv } from './app-env.ts';
import { configProviderFromEnv } from './config/provider-from-env.ts';
import { readDataPlaneEnv } from './env.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Metrics } from './metrics.ts';
import { wireDataPlane } from './wiring.ts';

export const SERVICE_NAME = 'personalization-apis-data-plane';
export const METRICS_NAMESPACE = 'PersonalizationApis';

type HonoLambdaHandler = ReturnType<typeof handle>;
type LambdaEvent = Parameters<HonoLambdaHandler>[0];
type LambdaResult = Awaited<ReturnType<HonoLambdaHandler>>;

export interface LambdaHandlerOptions {
  /** Adds the invocation's request ID and function name to every log line. */
  logger?: PowertoolsLogger;
  /** Flushed after every invocation. */
  metrics?: PowertoolsMetrics;
  /** The data plane's lifecycle: configuration catch-up before, background drain after each invocation. */
  lifecycle?: Pick<Lifecycle, 'beforeInvocation' | 'drain'>;
}

/** Adapts the Powertools Logger to the data plane's logging contract (attributes become top-level keys). */
export function powertoolsLogger(logger: PowertoolsLogger): Logger {
  const level = (name: 'debug' | 'info' | 'warn' | 'error') => (message: string, attributes?: LogAttributes) =>
    attributes ? logger[name](message, attributes as Record<string, never>) : logger[name](message);
  return { debug: level('debug'), info: level('info'), warn: level('warn'), error: level('error') };
}

/** Adapts Powertools Metrics to the data plane's metrics contract. */
export function powertoolsMetrics(metrics: PowertoolsMetrics): Metrics {
  return { add: (name, unit, value) => metrics.addMetric(name, unit, value) };
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
    try {
      await lifecycle?.beforeInvocation();
      const result = await handleEvent(event, context);
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

async function coldStart() {
  const powertools = new PowertoolsLogger({ serviceName: SERVICE_NAME });
  const logger = powertoolsLogger(powertools);
  const metrics = new PowertoolsMetrics({ serviceName: SERVICE_NAME, namespace: METRICS_NAMESPACE });
  try {
    const env = readDataPlaneEnv(process.env);
    const config = configProviderFromEnv(env, { logger });
    // One request at a time: what a replaced configuration used can be released at once.
    const dataPlane = wireDataPlane({ env, config, logger, metrics: powertoolsMetrics(metrics), releaseGraceMs: 0 });
    await dataPlane.start();
    return createLambdaHandler(dataPlane.app, { logger: powertools, metrics, lifecycle: dataPlane });
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
