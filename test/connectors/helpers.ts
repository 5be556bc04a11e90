/** Shared by the connector tests: emulator-backed clients, tables, and uploading sample jobs to a bucket. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { USER_INDEX_BY_ITEM } from '../../connectors/dynamodb-tables.ts';
import { S3RVER_CREDENTIALS } from '../helpers/s3rver.ts';

export const SAMPLES = new URL('../../samples/connectors/', import.meta.url).pathname;
export const SHOPPERS = 'etl_jobs/user_personalization/shoppers';
export const SIMILAR = 'etl_jobs/related_items/similar-to-last-viewed';

export function s3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: S3RVER_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function dynamodbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: S3RVER_CREDENTIALS });
}

export async function createConnectorTables(
  client: DynamoDBClient,
  names: { state: string; index: string },
): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: names.state,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  await client.send(
    new CreateTableCommand({
      TableName: names.index,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'item', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: USER_INDEX_BY_ITEM,
          KeySchema: [{ AttributeName: 'item', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['run'] },
        },
      ],
    }),
  );
}

export async function scanAll(client: DynamoDBClient, table: string): Promise<Record<string, any>[]> {
  const doc = DynamoDBDocumentClient.from(client);
  const items: Record<string, any>[] = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'output' || name === 'errors' || name.startsWith('.')) return [];
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Uploads a sample job (inputs only) to `bucket` at the same relative path. */
export async function uploadSampleJob(s3: S3Client, bucket: string, job: string, create = true): Promise<void> {
  if (create) await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
  for (const file of filesUnder(join(SAMPLES, job))) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: relative(SAMPLES, file), Body: readFileSync(file) }));
  }
}
