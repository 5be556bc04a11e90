/**
 * Logging for the control plane: the Powertools Logger (structured JSON, level from
 * POWERTOOLS_LOG_LEVEL) under one service name, and the small interface the pure cores accept so
 * tests can pass a recorder instead.
 */
import { Logger } from '@aws-lambda-powertools/logger';

const SERVICE_NAME = 'personalization-apis-control-plane';

/** What the cores need from a logger; the Powertools Logger satisfies it. */
export interface Log {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/**
 * Builds the Lambda logger of one control-plane function.
 *
 * @example
 * const logger = createLogger('sync-dynamodb-tables');
 * logger.info('table created', { table: 'PersonalizationApiItemMetadata_shop' });
 */
export function createLogger(functionName: string): Logger {
  return new Logger({ serviceName: SERVICE_NAME, persistentKeys: { handler: functionName } });
}
