/**
 * The sync-dynamodb-tables task's core: create missing item-metadata tables, bring billing mode,
 * throughput and tags in line, and report `ResourcePending` while any table is creating or updating so
 * the state machine retries until every table is ACTIVE.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ListTagsOfResourceCommand,
  ResourceNotFoundException,
  type TableDescription,
  TagResourceCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import type { Logger } from '../../shared/logger.ts';
import type { SyncDynamoDbTablesResult, SyncOutcome } from '../../state-machines/sync-resources-payload.ts';
import { ResourceConflict, ResourcePending } from '../errors.ts';
import { desiredTables, type TableSpec } from './desired-tables.ts';

export interface SyncTablesDeps {
  dynamodb: DynamoDBClient;
  logger: Logger;
}

interface TableState {
  outcome: SyncOutcome;
  /** Set while the table is not ACTIVE yet. */
  pending?: string;
  conflict?: string;
}

async function describe(dynamodb: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if (err instanceof ResourceNotFoundException || (err as Error).name === 'ResourceNotFoundException')
      return undefined;
    throw err;
  }
}

const toTags = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

async function currentTags(dynamodb: DynamoDBClient, arn: string): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  let NextToken: string | undefined;
  do {
    const page = await dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: arn, NextToken }));
    for (const t of page.Tags ?? []) if (t.Key) tags[t.Key] = t.Value ?? '';
    NextToken = page.NextToken;
  } while (NextToken);
  return tags;
}

async function create(spec: TableSpec, deps: SyncTablesDeps): Promise<TableState> {
  const tags = toTags(spec.tags);
  await deps.dynamodb.send(
    new CreateTableCommand({
      TableName: spec.tableName,
      AttributeDefinitions: [{ AttributeName: spec.keyName, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: spec.keyName, KeyType: 'HASH' }],
      BillingMode: spec.billingMode,
      ...(spec.throughput
        ? {
            ProvisionedThroughput: {
              ReadCapacityUnits: spec.throughput.readCapacityUnits,
              WriteCapacityUnits: spec.throughput.writeCapacityUnits,
            },
          }
        : {}),
      ...(tags.length > 0 ? { Tags: tags } : {}),
    }),
  );
  deps.logger.info('table created', { table: spec.tableName, billingMode: spec.billingMode });
  return { outcome: 'created', pending: 'CREATING' };
}

function capacityUpdate(spec: TableSpec, table: TableDescription): UpdateTableCommand | undefined {
  const current = table.BillingModeSummary?.BillingMode ?? 'PROVISIONED';
  if (spec.billingMode === 'PAY_PER_REQUEST') {
    return current === 'PAY_PER_REQUEST'
      ? undefined
      : new UpdateTableCommand({ TableName: spec.tableName, BillingMode: 'PAY_PER_REQUEST' });
  }
  const want = spec.throughput;
  const have = table.ProvisionedThroughput;
  if (
    current === 'PROVISIONED' &&
    (!want ||
      (have?.ReadCapacityUnits === want.readCapacityUnits && have?.WriteCapacityUnits === want.writeCapacityUnits))
  ) {
    return undefined;
  }
  if (!want) return undefined;
  return new UpdateTableCommand({
    TableName: spec.tableName,
    BillingMode: 'PROVISIONED',
    ProvisionedThroughput: { ReadCapacityUnits: want.readCapacityUnits, WriteCapacityUnits: want.writeCapacityUnits },
  });
}

async function syncTable(spec: TableSpec, deps: SyncTablesDeps): Promise<TableState> {
  const table = await describe(deps.dynamodb, spec.tableName);
  if (!table) return create(spec, deps);

  const status = table.TableStatus ?? 'UNKNOWN';
  if (status === 'CREATING' || status === 'UPDATING' || status === 'DELETING') {
    return { outcome: 'unchanged', pending: status };
  }
  if (status !== 'ACTIVE') {
    return { outcome: 'unchanged', conflict: `${spec.tableName} is ${status}` };
  }

  const keys = table.KeySchema ?? [];
  const hash = keys.find((k) => k.KeyType === 'HASH')?.AttributeName;
  if (hash !== spec.keyName || keys.length !== 1) {
    const have = keys.map((k) => `${k.AttributeName} (${k.KeyType})`).join(', ');
    return {
      outcome: 'unchanged',
      conflict: `${spec.tableName} has key ${have}; the configuration wants ${spec.keyName} (HASH) and a key cannot be changed`,
    };
  }

  let outcome: SyncOutcome = 'unchanged';
  let pending: string | undefined;
  const update = capacityUpdate(spec, table);
  if (update) {
    await deps.dynamodb.send(update);
    deps.logger.info('table capacity updated', { table: spec.tableName, billingMode: spec.billingMode });
    outcome = 'updated';
    pending = 'UPDATING';
  }

  if (table.TableArn && Object.keys(spec.tags).length > 0) {
    const have = await currentTags(deps.dynamodb, table.TableArn);
    const changed = Object.fromEntries(Object.entries(spec.tags).filter(([k, v]) => have[k] !== v));
    if (Object.keys(changed).length > 0) {
      await deps.dynamodb.send(new TagResourceCommand({ ResourceArn: table.TableArn, Tags: toTags(changed) }));
      deps.logger.info('table tagged', { table: spec.tableName, tags: Object.keys(changed) });
      outcome = 'updated';
    }
  }
  return { outcome, pending };
}

/**
 * @example
 * await syncDynamoDbTables(resolved, { dynamodb: new DynamoDBClient({}), logger });
 * // → { status: 'ok', tables: [{ tableName: 'PersonalizationApiItemMetadata_shop', namespace: 'shop', outcome: 'unchanged' }] }
 * // or throws ResourcePending while a table is CREATING/UPDATING
 */
export async function syncDynamoDbTables(
  resolved: ResolvedConfig,
  deps: SyncTablesDeps,
): Promise<SyncDynamoDbTablesResult> {
  const { tables, unmanaged } = desiredTables(resolved);
  for (const t of unmanaged) {
    deps.logger.info('table not managed (autoProvision is false)', { table: t.tableName, namespace: t.namespace });
  }
  if (tables.length === 0 && unmanaged.length === 0) deps.logger.info('no dynamodb item metadata in the configuration');

  const states = await Promise.all(tables.map(async (spec) => ({ spec, state: await syncTable(spec, deps) })));

  const conflicts = states.flatMap(({ state }) => (state.conflict ? [state.conflict] : []));
  if (conflicts.length > 0) throw new ResourceConflict(conflicts.join('; '));
  const pending = states.filter(({ state }) => state.pending);
  if (pending.length > 0) {
    const list = pending.map(({ spec, state }) => `${spec.tableName} (${state.pending})`).join(', ');
    throw new ResourcePending(`tables not ready yet: ${list}`);
  }
  return {
    status: 'ok',
    tables: [
      ...states.map(({ spec, state }) => ({
        tableName: spec.tableName,
        namespace: spec.namespace,
        outcome: state.outcome,
      })),
      ...unmanaged.map((t) => ({ ...t, outcome: 'skipped' as const })),
    ],
  };
}
