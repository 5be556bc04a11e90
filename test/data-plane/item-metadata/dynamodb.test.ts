import { Readable } from 'node:stream';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importItems } from '../../../contracts/item-metadata/import-items.ts';
import { DynamodbItemMetadataStore } from '../../../data-plane/item-metadata/dynamodb-store.ts';
import { startDynalite } from '../../helpers/dynalite.ts';

const lines = (items: unknown[]) => Readable.from([`${items.map((i) => JSON.stringify(i)).join('\n')}\n`]);
const catalogue = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ id: `item-${from + i}`, name: `Item ${from + i}`, price: from + i + 0.99 }));
const instant = { sleep: async () => undefined };

let db: Awaited<ReturnType<typeof startDynalite>>;
let client: DynamoDBClient;

async function createTable(name: string, key = 'id') {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

beforeAll(async () => {
  db = await startDynalite();
  client = new DynamoDBClient({ endpoint: db.endpoint });
  await createTable('PersonalizationApiItemMetadata_shop');
  await createTable('custom_books', 'isbn');
});

afterAll(async () => {
  client.destroy();
  await db.stop();
});

describe('DynamoDB item metadata on dynalite', () => {
  const config = { type: 'dynamodb' as const };

  it('bulk-loads 250 items, decorates unique, duplicate and unknown IDs, then purges what a re-import drops', async () => {
    const first = await importItems({
      namespace: 'shop',
      config,
      source: lines([...catalogue(250), { name: 'no id' }]),
      clients: { dynamodb: client },
      version: 1,
      retry: instant,
    });
    expect(first).toEqual({
      imported: 250,
      skipped: [{ line: 251, reason: 'missing "id"' }],
      skippedCount: 1,
      purged: 0,
      location: 'PersonalizationApiItemMetadata_shop',
    });

    const store = new DynamodbItemMetadataStore({ client, namespace: 'shop', config });
    const ids = [...catalogue(230).map((i) => i.id), 'item-7', 'item-7', 'item-229', 'nope', 'also-nope'];
    const found = await store.getMany(ids);
    expect(found.size).toBe(230);
    expect(found.get('item-7')).toEqual({ name: 'Item 7', price: 7.99 });
    expect(found.get('item-229')).toEqual({ name: 'Item 229', price: 229.99 });
    expect(found.has('nope')).toBe(false);

    // The new file keeps items 100–299 (changing 100's name) and drops 0–99.
    const second = await importItems({
      namespace: 'shop',
      config,
      source: lines([{ id: 'item-100', name: 'Renamed' }, ...catalogue(199, 101)]),
      clients: { dynamodb: client },
      version: 2,
      retry: instant,
    });
    expect(second).toMatchObject({ imported: 200, purged: 100, skipped: [] });
    const after = await store.getMany(['item-0', 'item-99', 'item-100', 'item-299']);
    expect([...after.keys()].sort()).toEqual(['item-100', 'item-299']);
    expect(after.get('item-100')).toEqual({ name: 'Renamed' });

    const raw = await client.send(
      new GetItemCommand({ TableName: 'PersonalizationApiItemMetadata_shop', Key: { id: { S: 'item-299' } } }),
    );
    expect(raw.Item?._version).toEqual({ N: '2' });
  });

  it('keeps the later line when an ID repeats, and changes nothing when no line is valid', async () => {
    const report = await importItems({
      namespace: 'books',
      config: { type: 'dynamodb', tableNamePrefix: 'custom_', keyName: 'isbn' },
      source: lines([
        { id: '1', title: 'old' },
        { id: '2', title: 'two' },
        { id: '1', title: 'new' },
      ]),
      clients: { dynamodb: client },
      version: 1,
      retry: instant,
    });
    expect(report).toMatchObject({ imported: 3, purged: 0, location: 'custom_books' });
    const store = new DynamodbItemMetadataStore({
      client,
      namespace: 'books',
      config: { type: 'dynamodb', tableNamePrefix: 'custom_', keyName: 'isbn' },
    });
    expect(Object.fromEntries(await store.getMany(['1', '2']))).toEqual({ 1: { title: 'new' }, 2: { title: 'two' } });

    const empty = await importItems({
      namespace: 'books',
      config: { type: 'dynamodb', tableNamePrefix: 'custom_', keyName: 'isbn' },
      source: lines(['not an object', { title: 'no id' }]),
      clients: { dynamodb: client },
      version: 2,
      retry: instant,
    });
    expect(empty).toMatchObject({ imported: 0, skippedCount: 2 });
    expect(empty.purged).toBeUndefined();
    expect((await store.getMany(['1', '2'])).size).toBe(2);
  });

  it('reports an item DynamoDB refuses by its line and imports the rest', async () => {
    const report = await importItems({
      namespace: 'shop',
      config,
      source: lines([
        { id: 'ok-1', a: 1 },
        { id: 'too-big', blob: 'x'.repeat(420_000) },
        { id: 'ok-2', a: 2 },
      ]),
      clients: { dynamodb: client },
      version: 3,
      retry: instant,
    });
    expect(report.imported).toBe(2);
    expect(report.skipped).toEqual([{ line: 2, reason: expect.stringMatching(/^DynamoDB refused the item: /) }]);
  });

  it('fails the import, without purging, when the table does not exist', async () => {
    await expect(
      importItems({
        namespace: 'missing',
        config,
        source: lines(catalogue(3)),
        clients: { dynamodb: client },
        retry: instant,
      }),
    ).rejects.toThrow(/non-existent table|not found|ResourceNotFound/i);
  });
});

describe('DynamoDB item metadata under pressure', () => {
  // Mocked only from here on: the tests above talk to dynalite through the same class.
  const mockDocumentClient = () => mockClient(DynamoDBDocumentClient);
  let docMock: ReturnType<typeof mockDocumentClient>;
  beforeAll(() => {
    docMock = mockDocumentClient();
  });
  afterAll(() => docMock.restore());

  it('splits unique IDs into batches of at most 100 and retries unprocessed keys with growing delays', async () => {
    docMock.reset();
    const table = 'PersonalizationApiItemMetadata_shop';
    docMock.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: { id: string }[] }> }) => {
      const keys = input.RequestItems[table]?.Keys ?? [];
      // The first call for each batch leaves its last key unprocessed.
      const unprocessed = keys.length > 1 ? keys.slice(-1) : [];
      const served = keys.length > 1 ? keys.slice(0, -1) : keys;
      return {
        Responses: { [table]: served.map((k) => ({ id: k.id, attributes: { n: k.id } })) },
        UnprocessedKeys: unprocessed.length ? { [table]: { Keys: unprocessed } } : {},
      };
    });
    const delays: number[] = [];
    const store = new DynamodbItemMetadataStore({
      client: new DynamoDBClient({}),
      namespace: 'shop',
      config: { type: 'dynamodb' },
      retry: { sleep: async (ms) => void delays.push(ms), random: () => 1 },
    });
    const ids = Array.from({ length: 250 }, (_, i) => `i${i}`);
    const found = await store.getMany([...ids, ...ids.slice(0, 10)]);
    expect(found.size).toBe(250);
    const sizes = docMock
      .commandCalls(BatchGetCommand)
      .map((c) => c.args[0].input.RequestItems?.[table]?.Keys?.length ?? 0);
    expect(sizes.filter((n) => n > 1).sort()).toEqual([100, 100, 50]);
    expect(sizes.filter((n) => n === 1)).toHaveLength(3);
    expect(delays).toEqual([20, 20, 20]);
  });

  it('answers 429 OriginThrottled when DynamoDB keeps throttling', async () => {
    docMock.reset();
    docMock.on(BatchGetCommand).rejects(
      Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
        name: 'ProvisionedThroughputExceededException',
      }),
    );
    const store = new DynamodbItemMetadataStore({
      client: new DynamoDBClient({}),
      namespace: 'shop',
      config: { type: 'dynamodb' },
      retry: instant,
    });
    await expect(store.getMany(['a'])).rejects.toMatchObject({
      name: 'OriginThrottledError',
      status: 429,
      code: 'OriginThrottled',
    });
  });

  it('answers 429 when keys stay unprocessed after every attempt, backing off exponentially up to the cap', async () => {
    docMock.reset();
    const table = 'PersonalizationApiItemMetadata_shop';
    docMock.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: unknown[] }> }) => ({
      Responses: { [table]: [] },
      UnprocessedKeys: { [table]: { Keys: input.RequestItems[table]?.Keys } },
    }));
    const delays: number[] = [];
    const store = new DynamodbItemMetadataStore({
      client: new DynamoDBClient({}),
      namespace: 'shop',
      config: { type: 'dynamodb' },
      retry: {
        maxAttempts: 6,
        baseDelayMs: 10,
        maxDelayMs: 50,
        sleep: async (ms) => void delays.push(ms),
        random: () => 1,
      },
    });
    await expect(store.getMany(['a', 'b'])).rejects.toMatchObject({ status: 429 });
    expect(delays).toEqual([10, 20, 40, 50, 50]);
    expect(docMock.commandCalls(BatchGetCommand)).toHaveLength(6);
  });
});
