import {
  CloudFrontClient,
  GetCachePolicyCommand,
  GetOriginRequestPolicyCommand,
  UpdateCachePolicyCommand,
  UpdateOriginRequestPolicyCommand,
} from '@aws-sdk/client-cloudfront';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as generateOpenApi } from '../../control-plane/generate-openapi/handler.ts';
import { handler as syncCacheSettings } from '../../control-plane/sync-cache-settings/handler.ts';
import { handler as syncDynamoDbTables } from '../../control-plane/sync-dynamodb-tables/handler.ts';
import { configChangeEventSchema, syncResourcesOutputSchema } from '../../state-machines/sync-resources-payload.ts';
import { fixture } from '../control-plane/helpers/fixtures.ts';
import { FUNCTION_ARN_PLACEHOLDERS, readDefinitionText, runStateMachine } from './run-state-machine.ts';

const s3 = mockClient(S3Client);
const cloudFront = mockClient(CloudFrontClient);
const dynamodb = mockClient(DynamoDBClient);

const TABLE = 'PersonalizationApiItemMetadata_shop';
const activeTable = {
  Table: {
    TableName: TABLE,
    TableStatus: 'ACTIVE' as const,
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' as const },
  },
};
const handlers = {
  GenerateOpenApi: generateOpenApi,
  SyncCacheSettings: syncCacheSettings,
  SyncDynamoDbTables: syncDynamoDbTables,
};
const event = () => configChangeEventSchema.parse(fixture('events/config-change.json'));
const run = async (input: unknown = event()) =>
  syncResourcesOutputSchema.parse(await runStateMachine('sync-resources.asl.json', input, handlers));

beforeAll(() => {
  Object.assign(process.env, {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    P13N_STAGING_BUCKET: 'p13n-staging',
    P13N_API_URLS: 'https://d111.cloudfront.net',
    P13N_AUTH_SCHEME: 'OAuth2-Cognito',
    P13N_CACHE_POLICY_ID: 'cp-123',
    P13N_ORIGIN_REQUEST_POLICY_ID: 'orp-456',
  });
  delete process.env.P13N_REST_API_ID;
});

beforeEach(() => {
  s3.reset();
  cloudFront.reset();
  dynamodb.reset();
  s3.on(PutObjectCommand).resolves({});
  cloudFront.on(GetCachePolicyCommand).resolves(fixture('cloudfront/get-cache-policy.json'));
  cloudFront.on(GetOriginRequestPolicyCommand).resolves(fixture('cloudfront/get-origin-request-policy.json'));
  cloudFront.on(UpdateCachePolicyCommand).resolves({});
  cloudFront.on(UpdateOriginRequestPolicyCommand).resolves({});
  dynamodb.on(DescribeTableCommand).resolves(activeTable);
});

describe('sync-resources state machine', () => {
  it('is JSONPath ASL whose only placeholders are the function ARNs CDK substitutes', () => {
    const text = readDefinitionText('sync-resources.asl.json');
    const placeholders = [...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    expect(new Set(placeholders)).toEqual(
      new Set(['GenerateOpenApiFunctionArn', 'SyncCacheSettingsFunctionArn', 'SyncDynamoDbTablesFunctionArn']),
    );
    expect(placeholders.every((p) => (FUNCTION_ARN_PLACEHOLDERS as readonly string[]).includes(p!))).toBe(true);
    expect(text).not.toMatch(/QueryLanguage|JSONata|"Assign"|\{%/);
  });

  it('runs the three tasks on the change event and reports each result', async () => {
    const out = await run();
    expect(out).toEqual({
      configurationVersion: '7',
      generateOpenApi: { status: 'ok', location: 's3://p13n-staging/openapi/openapi.json', paths: 8 }, // 2 of the configuration, 6 Personalize-compatible
      syncCacheSettings: {
        status: 'ok',
        cachePolicy: 'updated',
        originRequestPolicy: 'updated',
        apiGatewayStage: 'skipped',
        apiGatewayMethods: 0,
      },
      syncDynamoDbTables: { status: 'ok', tables: [{ tableName: TABLE, namespace: 'shop', outcome: 'unchanged' }] },
    });
    const doc = JSON.parse(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Body as string);
    expect(doc).toMatchObject({ info: { version: '7' }, servers: [{ url: 'https://d111.cloudfront.net' }] });
    const policy = cloudFront.commandCalls(UpdateCachePolicyCommand)[0]!.args[0].input.CachePolicyConfig!;
    expect(policy).toMatchObject({ MinTTL: 30, MaxTTL: 1200 });
    expect(policy.ParametersInCacheKeyAndForwardedToOrigin?.HeadersConfig?.Headers?.Items).toEqual([
      'cloudfront-is-mobile-viewer',
    ]);
  });

  it('retries the table task while the table is pending, then reports it ready', async () => {
    dynamodb
      .on(DescribeTableCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not found', $metadata: {} }))
      .resolvesOnce({ Table: { ...activeTable.Table, TableStatus: 'CREATING' } })
      .resolves(activeTable);
    dynamodb.on(CreateTableCommand).resolves({});

    const out = await run();
    expect(out.syncDynamoDbTables).toEqual({
      status: 'ok',
      tables: [{ tableName: TABLE, namespace: 'shop', outcome: 'unchanged' }],
    });
    expect(dynamodb.commandCalls(CreateTableCommand)).toHaveLength(1);
    expect(dynamodb.commandCalls(DescribeTableCommand)).toHaveLength(3);
  });

  it('records a failing branch and keeps the results of the others', async () => {
    cloudFront.on(GetCachePolicyCommand).rejects(
      Object.assign(new Error('User is not authorized to perform cloudfront:GetCachePolicy'), {
        name: 'AccessDenied',
      }),
    );

    const out = await run();
    expect(out.syncCacheSettings).toEqual({
      status: 'failed',
      error: 'AccessDenied',
      cause: 'User is not authorized to perform cloudfront:GetCachePolicy',
    });
    expect(out.generateOpenApi).toMatchObject({ status: 'ok' });
    expect(out.syncDynamoDbTables).toMatchObject({ status: 'ok' });
  });

  it('gives up on a table that never becomes ready and records ResourcePending', async () => {
    dynamodb.on(DescribeTableCommand).resolves({ Table: { ...activeTable.Table, TableStatus: 'UPDATING' } });
    const out = await run();
    expect(out.syncDynamoDbTables).toEqual({
      status: 'failed',
      error: 'ResourcePending',
      cause: `tables not ready yet: ${TABLE} (UPDATING)`,
    });
    // The first attempt plus the 20 retries of the ResourcePending retrier.
    expect(dynamodb.commandCalls(DescribeTableCommand)).toHaveLength(21);
  });

  it('records a configuration that fails validation in every branch', async () => {
    const input = event();
    input.detail.config = { namespaces: { 'bad key': {} } };
    const out = await run(input);
    for (const result of [out.generateOpenApi, out.syncCacheSettings, out.syncDynamoDbTables]) {
      expect(result).toMatchObject({ status: 'failed', error: 'ValidationFailed' });
    }
    expect(s3.calls()).toHaveLength(0);
  });
});
