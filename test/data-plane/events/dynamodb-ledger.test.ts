/**
 * The DynamoDB delivery ledger against dynalite, as two Lambda instances share it: a retried POST
 * /events that reaches another instance still goes only to the target that failed, and the embedded
 * recommender learns the event once. dynalite has no TTL: expiry is read from `expiresAt` by the
 * claim's condition, which is what makes an expired entry free before TTL deletes it on AWS too.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EvidentlyClient } from '@aws-sdk/client-evidently';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackgroundTasks } from '../../../data-plane/events/background.ts';
import { dynamodbLedger } from '../../../data-plane/events/dynamodb-ledger.ts';
import { createEventsService } from '../../../data-plane/events/events-service.ts';
import type { LearnEvent } from '../../../data-plane/origins/builtin/model.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { startDynalite } from '../../helpers/dynalite.ts';
import { appFor, json } from '../helpers.ts';

const TABLE = 'p13n-event-idempotency';
const NOW = Date.parse('2026-11-02T10:00:00.000Z');

let db: Awaited<ReturnType<typeof startDynalite>>;
let dynamodb: DynamoDBClient;
let dir: string;

beforeAll(async () => {
  db = await startDynalite();
  dynamodb = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  dir = await mkdtemp(join(tmpdir(), 'p13n-ledger-'));
});

afterAll(async () => {
  dynamodb?.destroy();
  await db?.stop();
  await rm(dir, { recursive: true, force: true });
});

const timing = (clock: () => number) => ({ ttlSeconds: 3600, claimMs: 8000, clock });

describe('the DynamoDB delivery ledger shared by Lambda instances', () => {
  it('sends a retry that reaches another instance only to the target that failed; the embedded recommender learns the event once', async () => {
    const file = join(dir, 'events.jsonl');
    const kinesis = new KinesisClient({ region: 'us-east-1' });
    const kinesisMock = mockClient(kinesis);
    kinesisMock
      .on(PutRecordCommand)
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }))
      .resolves({ SequenceNumber: '1', ShardId: 'shardId-000000000000' });
    const learned: LearnEvent[] = [];
    const instance = async () => {
      const events = createEventsService({
        background: createBackgroundTasks({ logger: silentLogger }),
        logger: silentLogger,
        clock: () => NOW,
        defaultTimeZone: 'UTC',
        clients: {
          personalizeEvents: () => new PersonalizeEventsClient({}),
          kinesis: () => kinesis,
          firehose: () => new FirehoseClient({}),
          eventBridge: () => new EventBridgeClient({}),
          evidently: async () => new EvidentlyClient({}),
        },
        learn: (_namespace, list) => {
          learned.push(...list);
        },
        retry: { sleep: async () => {} },
        ledger: dynamodbLedger({ ...timing(Date.now), tableName: TABLE, client: () => dynamodb }),
      });
      return appFor(
        {
          version: 'ledger-1',
          namespaces: {
            shop: {
              eventTargets: [
                { type: 'kinesis-stream', streamName: 'clicks' },
                { type: 'file', path: file },
                { type: 'builtin' },
              ],
            },
          },
        },
        { events, clock: () => NOW },
      );
    };
    const [first, second] = [await instance(), await instance()];
    const body = JSON.stringify({
      userId: 'u1',
      eventList: [{ eventType: 'Purchase', itemId: 'i1', sentAt: '2026-11-02T09:59:30Z' }],
    });
    const post = (app: typeof first) =>
      app.request('/events/shop', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    const failed = await post(first);
    expect(failed.status).toBe(502);
    expect((await json(failed)).targets).toEqual([
      { target: 'kinesis-stream:clicks', ok: false, error: 'AccessDeniedException' },
      { target: 'file:events.jsonl', ok: true },
      { target: 'builtin', ok: true },
    ]);

    const retried = await post(second);
    expect(retried.status).toBe(200);
    expect((await json(retried)).targets).toEqual([
      { target: 'kinesis-stream:clicks', ok: true },
      { target: 'file:events.jsonl', ok: true, alreadyDelivered: 1 },
      { target: 'builtin', ok: true, alreadyDelivered: 1 },
    ]);
    expect(kinesisMock.commandCalls(PutRecordCommand)).toHaveLength(2);
    expect(learned).toHaveLength(1);
    expect((await readFile(file, 'utf8')).trimEnd().split('\n')).toHaveLength(1);

    const again = await post(first);
    expect(again.status).toBe(200);
    expect(kinesisMock.commandCalls(PutRecordCommand)).toHaveLength(2);
    expect(learned).toHaveLength(1);

    // What the table holds: fixed-length hashes, never the client's text, each with its expiry.
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: TABLE }));
    expect(Items.length).toBeGreaterThanOrEqual(3);
    for (const item of Items) {
      expect(item.id?.S).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Number(item.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000);
    }
  });

  it('reports a claim another instance holds as busy, and lets it be taken over once its lease lapses', async () => {
    let now = Date.now();
    const a = dynamodbLedger({ ...timing(() => now), tableName: TABLE, client: () => dynamodb });
    const b = dynamodbLedger({ ...timing(() => now), tableName: TABLE, client: () => dynamodb });
    const scope = { namespace: 'shop', target: 'file:lease' };
    const held = await a.claim(scope, ['k1', 'k2']);
    expect(held.claimed).toEqual(new Set(['k1', 'k2']));
    const [raced, other] = await Promise.all([b.claim(scope, ['k1']), a.claim(scope, ['k1'])]);
    expect([...raced.busy, ...other.busy]).toEqual(['k1', 'k1']);

    await held.commit(['k1']);
    await held.release(['k2']);
    const later = await b.claim(scope, ['k1', 'k2']);
    expect(later.taken).toEqual(new Set(['k1']));
    expect(later.claimed).toEqual(new Set(['k2']));

    now += 10_000;
    const takeover = await a.claim(scope, ['k2']);
    expect(takeover.claimed).toEqual(new Set(['k2']));
    // The lapsed claim's owner cannot delete the new owner's claim.
    await later.release(['k2']);
    expect((await b.claim(scope, ['k2'])).busy).toEqual(new Set(['k2']));
  });

  it('forgets a delivery once its window has passed, though the item is still in the table', async () => {
    let now = Date.now();
    const ledger = dynamodbLedger({ ...timing(() => now), tableName: TABLE, client: () => dynamodb });
    const scope = { namespace: 'shop', target: 'file:window' };
    await (await ledger.claim(scope, ['k'])).commit(['k']);
    expect((await ledger.claim(scope, ['k'])).taken).toEqual(new Set(['k']));
    now += 3601_000;
    expect((await ledger.claim(scope, ['k'])).claimed).toEqual(new Set(['k']));
  });
});
