/**
 * Everything the bundled data plane talks to in the local Lambda runtime's tests, on 127.0.0.1:
 * s3rver (the staging bucket), dynalite (item-metadata tables and the event idempotency table), kinesalite (a Kinesis event target),
 * a tiny HTTP recommender as the origin, and the hung service. `lambdaEnv` points the function's AWS
 * clients at them the standard way (`AWS_ENDPOINT_URL_<SERVICE>`), with s3rver's credentials, which the
 * other emulators accept too.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { importItems } from '../../contracts/item-metadata/import-items.ts';
import { localdbObjectKey } from '../../contracts/item-metadata/localdb-layout.ts';
import { startTinyRecommender, type TinyRecommender } from '../data-plane/helpers.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { type HungService, startHungService } from '../helpers/hung-service.ts';
import { type Kinesalite, startKinesalite } from '../helpers/kinesalite.ts';
import { S3RVER_CREDENTIALS, startS3rver } from '../helpers/s3rver.ts';

export const STAGING_BUCKET = 'staging';
export const EVENT_IDEMPOTENCY_TABLE = 'event-idempotency';

export interface Item {
  id: string;
  [attribute: string]: unknown;
}

/** `item-1` … `item-n` (the ids the tiny recommender answers), named with `label`. */
export function catalogue(n: number, label = 'Item'): Item[] {
  return Array.from({ length: n }, (_, i) => ({ id: `item-${i + 1}`, name: `${label} ${i + 1}` }));
}

const jsonLines = (items: Item[]) => Readable.from([`${items.map((i) => JSON.stringify(i)).join('\n')}\n`]);

export interface LambdaEmulators {
  recommender: TinyRecommender;
  kinesis: Kinesalite;
  hung: HungService;
  dynamodbEndpoint: string;
  /** Environment for the function: endpoints, credentials, the staging bucket, the idempotency table, a fresh data folder. */
  lambdaEnv(overrides?: Record<string, string>): Record<string, string>;
  /** Builds a namespace's localdb and uploads it to `localdbs/{namespace}/` in the staging bucket. */
  publishLocaldb(namespace: string, items: Item[]): Promise<void>;
  removeLocaldb(namespace: string): Promise<void>;
  /** Creates `PersonalizationApiItemMetadata_{namespace}` and loads `items`. */
  loadTable(namespace: string, items: Item[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * @example
 * const emulators = await startLambdaEmulators();
 * const lambda = await startLocalLambda({ asset, env: emulators.lambdaEnv({ AWS_APPCONFIG_EXTENSION_HTTP_PORT: '…' }) });
 */
export async function startLambdaEmulators(): Promise<LambdaEmulators> {
  const [s3rver, dynalite, kinesis, hung, recommender] = await Promise.all([
    startS3rver(),
    startDynalite(),
    startKinesalite(),
    startHungService(),
    startTinyRecommender(),
  ]);
  const s3 = new S3Client({
    endpoint: s3rver.endpoint,
    region: 'us-east-1',
    credentials: s3rver.credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // Explicit credentials: outside vitest (bench:cold-start) no setup file gives the process any.
  const dynamodb = new DynamoDBClient({
    endpoint: dynalite.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: STAGING_BUCKET }));
  await dynamodb.send(
    new CreateTableCommand({
      TableName: EVENT_IDEMPOTENCY_TABLE,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const scratch = mkdtempSync(join(tmpdir(), 'p13n-emulators-'));
  return {
    recommender,
    kinesis,
    hung,
    dynamodbEndpoint: dynalite.endpoint,
    lambdaEnv: (overrides = {}) => ({
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: s3rver.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
      AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
      P13N_STAGING_BUCKET: STAGING_BUCKET,
      P13N_EVENT_IDEMPOTENCY_TABLE: EVENT_IDEMPOTENCY_TABLE,
      P13N_DATA_DIR: mkdtempSync(join(tmpdir(), 'p13n-lambda-tmp-')),
      ...overrides,
    }),
    async publishLocaldb(namespace, items) {
      await importItems({
        namespace,
        config: { type: 'localdb' },
        source: jsonLines(items),
        clients: { s3 },
        stagingBucket: STAGING_BUCKET,
        dataDir: scratch,
      });
    },
    async removeLocaldb(namespace) {
      await s3.send(new DeleteObjectCommand({ Bucket: STAGING_BUCKET, Key: localdbObjectKey(namespace) }));
    },
    async loadTable(namespace, items) {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: `PersonalizationApiItemMetadata_${namespace}`,
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await importItems({ namespace, config: { type: 'dynamodb' }, source: jsonLines(items), clients: { dynamodb } });
    },
    async stop() {
      s3.destroy();
      dynamodb.destroy();
      await Promise.all([s3rver.stop(), dynalite.stop(), kinesis.stop(), hung.stop(), recommender.close()]);
    },
  };
}
