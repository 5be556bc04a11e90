import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTagsOfResourceCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { syncDynamoDbTables } from '../../../control-plane/sync-dynamodb-tables/sync-tables.ts';
import { namespace, resolved } from '../helpers/configs.ts';
import { recordingLogger } from '../helpers/recording-logger.ts';

const ddb = mockClient(DynamoDBClient);
const deps = () => ({ dynamodb: new DynamoDBClient({}), logger: recordingLogger() });
const ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/PersonalizationApiItemMetadata_shop';
const notFound = new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} });

const config = (metadata: Record<string, unknown>) =>
  resolved({ namespaces: { shop: namespace({ inferenceItemMetadata: { type: 'dynamodb', ...metadata } as any }) } });

const active = (extra: Record<string, unknown> = {}) => ({
  Table: {
    TableName: 'PersonalizationApiItemMetadata_shop',
    TableArn: ARN,
    TableStatus: 'ACTIVE' as const,
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' as const },
    ...extra,
  },
});

beforeEach(() => ddb.reset());

describe('syncDynamoDbTables', () => {
  it('creates a missing table with key, billing mode, throughput and tags, then reports it pending', async () => {
    ddb.on(DescribeTableCommand).rejects(notFound);
    ddb.on(CreateTableCommand).resolves({});
    const cfg = config({
      tableNamePrefix: 'Meta_',
      keyName: 'sku',
      billingMode: 'PROVISIONED',
      provisionedThroughput: { readCapacityUnits: 5, writeCapacityUnits: 2 },
      tags: { team: 'retail' },
    });

    await expect(syncDynamoDbTables(cfg, deps())).rejects.toMatchObject({
      name: 'ResourcePending',
      message: 'tables not ready yet: Meta_shop (CREATING)',
    });
    expect(ddb.commandCalls(CreateTableCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: 'Meta_shop',
        AttributeDefinitions: [{ AttributeName: 'sku', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'sku', KeyType: 'HASH' }],
        BillingMode: 'PROVISIONED',
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 2 },
        Tags: [{ Key: 'team', Value: 'retail' }],
      },
    ]);
  });

  it('reports pending while a table is CREATING or UPDATING, without touching it', async () => {
    ddb.on(DescribeTableCommand).resolves(active({ TableStatus: 'UPDATING' }));
    await expect(syncDynamoDbTables(config({}), deps())).rejects.toMatchObject({
      name: 'ResourcePending',
      message: 'tables not ready yet: PersonalizationApiItemMetadata_shop (UPDATING)',
    });
    expect(ddb.commandCalls(UpdateTableCommand)).toHaveLength(0);
    expect(ddb.commandCalls(CreateTableCommand)).toHaveLength(0);
  });

  it('makes no change when the table already matches', async () => {
    ddb.on(DescribeTableCommand).resolves(active());
    ddb.on(ListTagsOfResourceCommand).resolves({
      Tags: [
        { Key: 'team', Value: 'retail' },
        { Key: 'other', Value: 'x' },
      ],
    });
    const out = await syncDynamoDbTables(config({ tags: { team: 'retail' } }), deps());
    expect(out).toEqual({
      status: 'ok',
      tables: [{ tableName: 'PersonalizationApiItemMetadata_shop', namespace: 'shop', outcome: 'unchanged' }],
    });
    expect(ddb.commandCalls(UpdateTableCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TagResourceCommand)).toHaveLength(0);
  });

  it('switches billing mode and throughput, then reports the table pending', async () => {
    ddb.on(DescribeTableCommand).resolves(active());
    ddb.on(UpdateTableCommand).resolves({});
    const cfg = config({
      billingMode: 'PROVISIONED',
      provisionedThroughput: { readCapacityUnits: 10, writeCapacityUnits: 4 },
    });
    await expect(syncDynamoDbTables(cfg, deps())).rejects.toMatchObject({ name: 'ResourcePending' });
    expect(ddb.commandCalls(UpdateTableCommand)[0]!.args[0].input).toEqual({
      TableName: 'PersonalizationApiItemMetadata_shop',
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 4 },
    });
  });

  it('changes only throughput that differs on a provisioned table', async () => {
    const provisioned = active({
      BillingModeSummary: undefined,
      ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 4 },
    });
    ddb.on(DescribeTableCommand).resolves(provisioned);
    const same = config({
      billingMode: 'PROVISIONED',
      provisionedThroughput: { readCapacityUnits: 10, writeCapacityUnits: 4 },
    });
    await expect(syncDynamoDbTables(same, deps())).resolves.toMatchObject({ status: 'ok' });
    expect(ddb.commandCalls(UpdateTableCommand)).toHaveLength(0);

    ddb.on(UpdateTableCommand).resolves({});
    await expect(syncDynamoDbTables(config({}), deps())).rejects.toMatchObject({ name: 'ResourcePending' });
    expect(ddb.commandCalls(UpdateTableCommand)[0]!.args[0].input).toEqual({
      TableName: 'PersonalizationApiItemMetadata_shop',
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('adds missing or changed tags without a capacity change', async () => {
    ddb.on(DescribeTableCommand).resolves(active());
    ddb.on(ListTagsOfResourceCommand).resolves({ Tags: [{ Key: 'team', Value: 'old' }] });
    ddb.on(TagResourceCommand).resolves({});
    const out = await syncDynamoDbTables(config({ tags: { team: 'retail', env: 'prod' } }), deps());
    expect(out.tables[0]!.outcome).toBe('updated');
    expect(ddb.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({
      ResourceArn: ARN,
      Tags: [
        { Key: 'team', Value: 'retail' },
        { Key: 'env', Value: 'prod' },
      ],
    });
  });

  it('leaves tables with autoProvision false alone and says so', async () => {
    const logger = recordingLogger();
    const out = await syncDynamoDbTables(config({ autoProvision: false }), {
      dynamodb: new DynamoDBClient({}),
      logger,
    });
    expect(out.tables).toEqual([
      { tableName: 'PersonalizationApiItemMetadata_shop', namespace: 'shop', outcome: 'skipped' },
    ]);
    expect(ddb.calls()).toHaveLength(0);
    expect(logger.messages('info')).toContain('table not managed (autoProvision is false)');
  });

  it('refuses a table whose key differs from the configuration', async () => {
    ddb.on(DescribeTableCommand).resolves(active({ KeySchema: [{ AttributeName: 'itemId', KeyType: 'HASH' }] }));
    await expect(syncDynamoDbTables(config({}), deps())).rejects.toMatchObject({
      name: 'ResourceConflict',
      message: expect.stringContaining('has key itemId (HASH); the configuration wants id (HASH)'),
    });
  });

  it('does nothing for configurations without dynamodb metadata', async () => {
    const out = await syncDynamoDbTables(resolved({ namespaces: { shop: namespace() } }), deps());
    expect(out).toEqual({ status: 'ok', tables: [] });
    expect(ddb.calls()).toHaveLength(0);
  });
});
