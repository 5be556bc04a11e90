/** Lambda entry of the sync-resources `SyncDynamoDbTables` task (input: the change event's `detail`). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { boundedClientConfig } from '../../shared/bounded-client-config.ts';
import {
  configChangeDetailSchema,
  type SyncDynamoDbTablesResult,
} from '../../state-machines/sync-resources-payload.ts';
import { createLogger } from '../logger.ts';
import { parseInput } from '../parse-input.ts';
import { resolveDetailConfig } from '../resolve-detail-config.ts';
import { type SyncTablesDeps, syncDynamoDbTables } from './sync-tables.ts';

let deps: SyncTablesDeps | undefined;

export async function handler(event: unknown): Promise<SyncDynamoDbTablesResult> {
  deps ??= { dynamodb: new DynamoDBClient(boundedClientConfig()), logger: createLogger('sync-dynamodb-tables') };
  const detail = parseInput(configChangeDetailSchema, event, 'configuration-change detail');
  return syncDynamoDbTables(resolveDetailConfig(detail), deps);
}
