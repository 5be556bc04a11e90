/**
 * Builds the data-plane app for an entry point from validated environment settings and a started
 * configuration provider: AWS clients, the origin resolvers and the item-metadata stores. The Lambda handler
 * and `p13n serve` both come through here, so an origin type or store added to the product is wired once.
 */
import type { Hono } from 'hono';
import { type AppDeps, type AppEnv, createApp } from './app.ts';
import { createAwsClients } from './aws-clients.ts';
import type { ConfigProvider } from './config/types.ts';
import type { DataPlaneEnv } from './env.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

export interface WiringOptions {
  env: DataPlaneEnv;
  config: ConfigProvider;
  logger: Logger;
  metrics?: Metrics;
  onResponse?: AppDeps['onResponse'];
}

/**
 * @example
 * const app = wireDataPlane({ env: readDataPlaneEnv(process.env), config, logger });
 */
export function wireDataPlane(options: WiringOptions): Hono<AppEnv> {
  const clients = createAwsClients(options.env.AWS_REGION ? { region: options.env.AWS_REGION } : {});
  return createApp({
    config: options.config,
    clients,
    logger: options.logger,
    metrics: options.metrics,
    defaultTimeZone: options.env.P13N_DEFAULT_TIME_ZONE,
    onResponse: options.onResponse,
  });
}
