/**
 * Logging for the control plane: the Powertools Logger (structured JSON, level from
 * POWERTOOLS_LOG_LEVEL) under one service name. The cores accept the shared `Logger` contract
 * (shared/logger.ts), which it satisfies, so tests can pass a recorder instead.
 */
import { Logger } from '@aws-lambda-powertools/logger';

const SERVICE_NAME = 'personalization-apis-control-plane';

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
