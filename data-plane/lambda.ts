/**
 * The data plane on AWS Lambda behind API Gateway (REST v1 or HTTP v2) or an Application Load Balancer:
 * hono/aws-lambda turns each event into a Request for the same app `p13n serve` runs. Dependencies are built
 * once per execution environment, at the first invocation; structured logs and EMF metrics go through
 * Powertools with the service name `personalization-apis-data-plane`.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context as LambdaContext } from 'aws-lambda';
import type { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import type { LogAttributes, Logger } from '../shared/logger.ts';
import type { AppEnv } from './app-env.ts';
import { loadOriginSecret, requireOriginSecret } from './auth/origin-secret.ts';
import { configProviderFromEnv } from './config/provider-from-env.ts';
import { readDataPlaneEnv } from './env.ts';
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

/**
 * Wraps an app as a Lambda handler for REST v1, HTTP v2 and ALB events.
 *
 * @example
 * export const handler = createLambdaHandler(createApp(deps));
 */
export function createLambdaHandler(app: Hono<AppEnv>, options: LambdaHandlerOptions = {}) {
  const handleEvent = handle(app);
  return async (event: LambdaEvent, context?: LambdaContext): Promise<LambdaResult> => {
    if (context) options.logger?.addContext(context);
    try {
      return await handleEvent(event, context);
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
    await config.start();
    // Behind CloudFront: only requests carrying its secret origin header get through.
    const auth = env.P13N_ORIGIN_SECRET_ARN
      ? requireOriginSecret(await loadOriginSecret(new SecretsManagerClient({}), env.P13N_ORIGIN_SECRET_ARN))
      : undefined;
    const { app } = wireDataPlane({ env, config, logger, metrics: powertoolsMetrics(metrics), auth });
    return createLambdaHandler(app, { logger: powertools, metrics });
  } catch (err) {
    powertools.error('data plane could not start', err as Error);
    throw err;
  }
}

let ready: ReturnType<typeof coldStart> | undefined;

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
