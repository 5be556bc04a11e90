/**
 * Benchmark: decorating 25 items — DynamoDB (dynalite on loopback) beside localdb (LMDB in-process).
 * Loads the same 2,000-item catalogue into both through the real import, then times getMany for 25
 * random IDs and prints p50/p99 in microseconds.
 *
 *   npm run bench:decoration
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { importItems } from '../../contracts/item-metadata/import-items.ts';
import { DynamodbItemMetadataStore } from '../../data-plane/item-metadata/dynamodb-store.ts';
import { LocaldbStore } from '../../data-plane/item-metadata/localdb-store.ts';
import type { ItemMetadataStore } from '../../data-plane/item-metadata/types.ts';
import { catalogueLine } from '../helpers/catalogue.ts';
import { startDynalite } from '../helpers/dynalite.ts';

const ITEMS = 2_000;
const BATCH = 25;
const catalogue = () => Readable.from(Array.from({ length: ITEMS }, (_, i) => `${catalogueLine(i)}\n`));
const randomIds = () => Array.from({ length: BATCH }, () => `item-${Math.floor(Math.random() * ITEMS)}`);

async function time(store: ItemMetadataStore, iterations: number): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < Math.min(200, iterations); i++) await store.getMany(randomIds());
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const ids = randomIds();
    const started = process.hrtime.bigint();
    const found = await store.getMany(ids);
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
    if (found.size === 0) throw new Error('nothing decorated');
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99) };
}

const dir = mkdtempSync(join(tmpdir(), 'p13n-bench-decoration-'));
const db = await startDynalite();
const client = new DynamoDBClient({
  endpoint: db.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
let localdb: LocaldbStore | undefined;
try {
  await client.send(
    new CreateTableCommand({
      TableName: 'PersonalizationApiItemMetadata_bench',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const config = { type: 'dynamodb' as const };
  await importItems({ namespace: 'bench', config, source: catalogue(), clients: { dynamodb: client } });
  const local = await importItems({
    namespace: 'bench',
    config: { type: 'localdb' },
    source: catalogue(),
    clients: {},
    dataDir: dir,
  });
  localdb = new LocaldbStore(local.location);
  // localdb first, before the DynamoDB runs leave garbage for the collector to pause on.
  const lmdb = await time(localdb, 20_000);
  const dynamo = await time(new DynamodbItemMetadataStore({ client, namespace: 'bench', config }), 1_000);
  const f = (n: number) => n.toFixed(1);
  console.log(
    `decoration of ${BATCH} items: dynamodb (dynalite, loopback) p50 ${f(dynamo.p50)} µs p99 ${f(dynamo.p99)} µs | ` +
      `localdb (LMDB) p50 ${f(lmdb.p50)} µs p99 ${f(lmdb.p99)} µs`,
  );
} finally {
  await localdb?.close();
  client.destroy();
  await db.stop();
  rmSync(dir, { recursive: true, force: true });
}
