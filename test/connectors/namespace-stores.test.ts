import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocalJob } from '../../connectors/run-local.ts';
import { importItems } from '../../contracts/item-metadata/import-items.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { dynamodbClient } from './helpers.ts';
import { catalogue, clock, tempRoot, userRecords, writeJob } from './job-fixture.ts';

const items = () =>
  Readable.from(
    `${catalogue(20)
      .map(({ id, ...rest }) => JSON.stringify({ id, ...rest, name: `NS ${id}` }))
      .join('\n')}\n`,
  );
const records = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).record);

let root: string;
let dynamodb: DynamoDBClient;
let stop: () => Promise<void>;
beforeAll(async () => {
  root = tempRoot();
  const dynalite = await startDynalite();
  stop = dynalite.stop;
  dynamodb = dynamodbClient(dynalite.endpoint);
});
afterAll(async () => {
  dynamodb.destroy();
  await stop();
  rmSync(root, { recursive: true, force: true });
});

describe('decorating from an existing namespace store (reused item-metadata stores)', () => {
  it('localdb: the store p13n import-items built under the data folder', async () => {
    const dataDir = join(root, 'data');
    await importItems({ namespace: 'shop', config: { type: 'localdb' }, source: items(), clients: {}, dataDir });
    const dir = writeJob(root, 'user_personalization', 'from-localdb', {
      config: {
        batchInferencePath: 'batch/',
        itemMetadata: { type: 'localdb', namespace: 'shop' },
        connectors: { braze: { itemMetadataFields: ['name'] } },
      },
      batch: userRecords(10, 20),
    });
    const now = clock();
    const report = await runLocalJob({ jobDir: dir, dataDir, now, workers: 2 });
    expect(records(report.outputs.braze!)[0]).toEqual({
      external_id: 'u0',
      name: ['NS i0', 'NS i3', 'NS i6', 'NS i9', 'NS i12'],
    });
    await expect(runLocalJob({ jobDir: dir, dataDir: join(root, 'empty'), now })).rejects.toThrow(
      /no localdb store for namespace 'shop'/,
    );
  });

  it('dynamodb: the namespace table, read with BatchGetItem', async () => {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'PersonalizationApiItemMetadata_shop',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await importItems({ namespace: 'shop', config: { type: 'dynamodb' }, source: items(), clients: { dynamodb } });
    const dir = writeJob(root, 'user_personalization', 'from-dynamodb', {
      config: {
        batchInferencePath: 'batch/',
        itemMetadata: { type: 'dynamodb', namespace: 'shop' },
        connectors: { braze: { itemMetadataFields: ['id', 'price'] } },
      },
      batch: userRecords(10, 20),
    });
    const report = await runLocalJob({ jobDir: dir, clients: { dynamodb }, now: clock(), workers: 2 });
    expect(records(report.outputs.braze!)[1]).toEqual({
      external_id: 'u1',
      id: ['i7', 'i10', 'i13', 'i16', 'i19'],
      price: [17, 20, 23, 26, 29],
    });
  });
});
