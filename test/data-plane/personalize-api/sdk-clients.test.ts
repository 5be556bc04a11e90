/**
 * The Personalize-compatible API end to end: a real `p13n serve` process with SigV4 verification on,
 * called by the official AWS SDK clients configured as an app would be except `endpoint` — recommendations,
 * related items, ranking, metadata columns, filters, an A/B-tested recommender behind one ARN, PutEvents
 * reaching the file target, the event tracker and the embedded recommender, PutItems changing decoration,
 * PutUsers, the service's typed exceptions, and SigV4 accepted and refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ResourceNotFoundException as EventsResourceNotFound,
  PersonalizeEventsClient,
  PutEventsCommand,
  PutItemsCommand,
  PutUsersCommand,
} from '@aws-sdk/client-personalize-events';
import {
  GetActionRecommendationsCommand,
  GetPersonalizedRankingCommand,
  GetRecommendationsCommand,
  InvalidInputException,
  PersonalizeRuntimeClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-personalize-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningUrl, type Running, startServe } from '../../helpers/serve-process.ts';
import { startTinyRecommender, type TinyRecommender } from '../helpers.ts';
import { ARNS, compatConfig, SAMPLE_ITEM, startPersonalizeEventsStandIn, TRACKING_ID } from './fixture.ts';

const KEY = { accessKeyId: 'AKIDCOMPATTEST', secretAccessKey: 'compat-test-secret' };
// How an app configures its clients; only `endpoint` is new.
const clientConfig = (endpoint: string, credentials = KEY) => ({
  region: 'us-east-1',
  credentials,
  endpoint,
  maxAttempts: 1,
});

let dir: string;
let tiny: TinyRecommender;
let standIn: Awaited<ReturnType<typeof startPersonalizeEventsStandIn>>;
let serve: Running;
let base: string;
let runtime: PersonalizeRuntimeClient;
let events: PersonalizeEventsClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'p13n-compat-'));
  tiny = await startTinyRecommender();
  standIn = await startPersonalizeEventsStandIn();
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(compatConfig({ dir, recommenderUrl: tiny.url })));
  serve = startServe(['--port', '0'], {
    P13N_CONFIG: file,
    P13N_DATA_DIR: join(dir, 'data'),
    P13N_SIGV4_CREDENTIALS: `${KEY.accessKeyId}:${KEY.secretAccessKey}`,
    // Where the event-tracker target's own Personalize Events client goes.
    AWS_ENDPOINT_URL_PERSONALIZE_EVENTS: standIn.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
  });
  base = await listeningUrl(serve);
  runtime = new PersonalizeRuntimeClient(clientConfig(base));
  events = new PersonalizeEventsClient(clientConfig(base));
}, 90_000);

afterAll(async () => {
  serve?.child.kill('SIGTERM');
  await serve?.exited;
  await tiny?.close();
  await standIn?.close();
  rmSync(dir, { recursive: true, force: true });
});

const fileRecords = (): Array<Record<string, any>> =>
  readFileSync(join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

const recommend = (userId: string, extra: Partial<ConstructorParameters<typeof GetRecommendationsCommand>[0]> = {}) =>
  runtime.send(new GetRecommendationsCommand({ campaignArn: ARNS.forYou, userId, numResults: 5, ...extra }));

describe('Personalize Runtime through the SDK', () => {
  it('answers GetRecommendations for a campaign ARN alias in the service shape', async () => {
    const out = await recommend('user-39');
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.itemList).toHaveLength(5);
    for (const item of out.itemList ?? []) {
      expect(item.itemId).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof item.score).toBe('number');
      expect(item.metadata).toBeUndefined();
    }
    expect(out.recommendationId).toMatch(/\S/);
  });

  it('returns the metadataColumns asked for, from the item-metadata store, beyond 10 columns', async () => {
    const columns = ['name', 'category', 'price', 'style', 'description', 'image_url', 'current_stock'];
    const out = await recommend('user-39', {
      numResults: 60,
      metadataColumns: { ITEMS: [...columns, 'where_visible', 'gender_affinity', 'not-a-column', 'NAME'] },
    });
    expect(out.itemList?.length).toBe(60);
    for (const item of out.itemList ?? []) {
      expect(typeof item.metadata?.name).toBe('string');
      expect(item.metadata?.NAME).toBe(item.metadata?.name);
      expect(item.metadata?.price).toMatch(/^\d+(\.\d+)?$/);
      expect(item.metadata).not.toHaveProperty('not-a-column');
    }
  });

  it('serves related items for an itemId through a recommender ARN', async () => {
    const out = await runtime.send(
      new GetRecommendationsCommand({ recommenderArn: ARNS.similar, itemId: SAMPLE_ITEM, numResults: 4 }),
    );
    expect(out.itemList?.length).toBe(4);
    expect(out.itemList?.map((i) => i.itemId)).not.toContain(SAMPLE_ITEM);
  });

  it('ranks an input list with GetPersonalizedRanking, decorated on request', async () => {
    const inputList = fileItems().slice(0, 6);
    const out = await runtime.send(
      new GetPersonalizedRankingCommand({
        campaignArn: ARNS.ranking,
        userId: 'user-39',
        inputList,
        metadataColumns: { ITEMS: ['name'] },
      }),
    );
    expect(out.personalizedRanking?.map((i) => i.itemId).sort()).toEqual([...inputList].sort());
    expect(out.personalizedRanking?.every((i) => typeof i.metadata?.name === 'string')).toBe(true);
    expect(out.recommendationId).toMatch(/\S/);
  });

  it('passes filterArn, filterValues and context to the recommender', async () => {
    const out = await runtime.send(
      new GetRecommendationsCommand({
        campaignArn: ARNS.filtered,
        userId: 'user-7',
        numResults: 3,
        filterArn: ARNS.filter,
        filterValues: { CATEGORY: '"footwear"' },
        context: { DEVICE: 'Phone' },
      }),
    );
    expect(out.itemList?.map((i) => i.itemId)).toEqual(['item-1', 'item-2', 'item-3']);
    expect(out.recommendationId).toBe('rid-1');
    const payload = JSON.parse(tiny.requests.at(-1)!.body);
    expect(payload).toMatchObject({
      action: 'recommend-items',
      userId: 'user-7',
      numResults: 3,
      filterArn: ARNS.filter,
      filterValues: { CATEGORY: '"footwear"' },
      context: { DEVICE: 'Phone' },
    });
  });

  it('runs the A/B test behind one ARN with a stable variation per user', async () => {
    const users = Array.from({ length: 16 }, (_, i) => `ab-user-${i}`);
    for (const userId of users) {
      const first = await recommend(userId);
      const again = await recommend(userId);
      expect(again.itemList?.map((i) => i.itemId)).toEqual(first.itemList?.map((i) => i.itemId));
    }
    await expect.poll(() => fileRecords().filter((r) => r.kind === 'exposure').length).toBeGreaterThanOrEqual(32);
    const variations = new Map<string, Set<string>>();
    for (const r of fileRecords().filter((r) => r.kind === 'exposure' && users.includes(r.userId))) {
      variations.set(r.userId, (variations.get(r.userId) ?? new Set()).add(r.variation));
    }
    expect([...variations.values()].every((v) => v.size === 1)).toBe(true);
    expect(new Set([...variations.values()].map((v) => [...v][0]))).toEqual(new Set(['cooccurrence', 'popularity']));
  });

  it('serves GetActionRecommendations from a recommend-items recommender', async () => {
    const out = await runtime.send(
      new GetActionRecommendationsCommand({ campaignArn: ARNS.history, userId: 'user-39', numResults: 3 }),
    );
    expect(out.actionList).toHaveLength(3);
    expect(out.actionList?.every((a) => typeof a.actionId === 'string' && typeof a.score === 'number')).toBe(true);
  });
});

/** IDs of the first catalogue lines. */
function fileItems(): string[] {
  const path = fileURLToPath(new URL('../../../samples/local/items.jsonl', import.meta.url));
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, 20)
    .map((line) => JSON.parse(line).id as string);
}

describe('Personalize Events through the SDK', () => {
  it('PutEvents fans out to the tracker, the file and the embedded recommender, which changes the next answer', async () => {
    const userId = 'compat-newcomer';
    const before = await runtime.send(
      new GetRecommendationsCommand({ campaignArn: ARNS.history, userId, numResults: 10 }),
    );
    const item = fileItems()[3]!;
    const out = await events.send(
      new PutEventsCommand({
        trackingId: TRACKING_ID,
        userId,
        sessionId: 'session-1',
        eventList: [
          { eventType: 'View', itemId: item, sentAt: new Date(), properties: JSON.stringify({ source: 'app' }) },
          { eventType: 'View', itemId: item, sentAt: new Date(), metricAttribution: { eventAttributionSource: 'x' } },
        ],
      }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);

    const written = fileRecords().filter((r) => r.kind === 'event' && r.userId === userId);
    expect(written).toHaveLength(2);
    expect(written[0]).toMatchObject({ itemId: item, sessionId: 'session-1', properties: { source: 'app' } });

    const forwarded = standIn.calls.find((c) => c.path === '/events' && c.body.userId === userId);
    expect(forwarded?.body).toMatchObject({ trackingId: TRACKING_ID, sessionId: 'session-1' });

    const after = await runtime.send(
      new GetRecommendationsCommand({ campaignArn: ARNS.history, userId, numResults: 10 }),
    );
    expect(after.itemList?.map((i) => i.itemId)).not.toEqual(before.itemList?.map((i) => i.itemId));
  });

  it('PutEvents retried by the SDK after the event tracker failed reaches only the tracker: the file keeps one record', async () => {
    const userId = 'compat-retrying';
    // The SDK retries a 5xx answer (ServiceUnavailableException) by itself, with the same body.
    const retrying = new PersonalizeEventsClient({ ...clientConfig(base), maxAttempts: 2 });
    standIn.refuseNext(1);
    const out = await retrying.send(
      new PutEventsCommand({
        trackingId: TRACKING_ID,
        userId,
        sessionId: 'session-retry',
        eventList: [{ eventType: 'View', itemId: fileItems()[4]!, sentAt: new Date() }],
      }),
    );
    expect(out.$metadata.attempts).toBe(2);
    expect(standIn.calls.filter((c) => c.path === '/events' && c.body.userId === userId)).toHaveLength(2);
    expect(fileRecords().filter((r) => r.kind === 'event' && r.userId === userId)).toHaveLength(1);
    retrying.destroy();
  });

  it('PutItems changes what decoration returns, without a re-import', async () => {
    const [known] = fileItems();
    const rank = () =>
      runtime.send(
        new GetPersonalizedRankingCommand({
          campaignArn: ARNS.ranking,
          userId: 'user-39',
          inputList: [known!, 'brand-new-item'],
          metadataColumns: { ITEMS: ['name', 'price'] },
        }),
      );
    const before = await rank();
    expect(before.personalizedRanking?.find((i) => i.itemId === 'brand-new-item')?.metadata).toBeUndefined();

    await events.send(
      new PutItemsCommand({
        datasetArn: ARNS.items,
        items: [
          { itemId: known!, properties: JSON.stringify({ name: 'Renamed Sneakers', price: 99.5 }) },
          { itemId: 'brand-new-item', properties: JSON.stringify({ name: 'Brand New Item' }) },
        ],
      }),
    );
    const after = await rank();
    const byId = new Map(after.personalizedRanking?.map((i) => [i.itemId, i.metadata]));
    expect(byId.get(known!)).toEqual({ name: 'Renamed Sneakers', price: '99.5' });
    expect(byId.get('brand-new-item')).toEqual({ name: 'Brand New Item' });
  });

  it('PutUsers reaches the tracker (forwarded with PutUsers) and the file target', async () => {
    await events.send(
      new PutUsersCommand({
        datasetArn: ARNS.users,
        users: [{ userId: 'user-39', properties: JSON.stringify({ membership: 'gold' }) }],
      }),
    );
    const forwarded = standIn.calls.find((c) => c.path === '/users');
    expect(forwarded?.body).toEqual({
      datasetArn: ARNS.users,
      users: [{ userId: 'user-39', properties: JSON.stringify({ membership: 'gold' }) }],
    });
    expect(fileRecords().find((r) => r.kind === 'user')).toMatchObject({
      userId: 'user-39',
      properties: { membership: 'gold' },
      datasetArn: ARNS.users,
    });
  });
});

describe("the service's typed exceptions", () => {
  it('ResourceNotFoundException for an unknown ARN, tracking ID or dataset', async () => {
    await expect(recommend('u1', { campaignArn: ARNS.unknown })).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      events.send(
        new PutEventsCommand({
          trackingId: 'nobody',
          sessionId: 's',
          eventList: [{ eventType: 'View', sentAt: new Date() }],
        }),
      ),
    ).rejects.toBeInstanceOf(EventsResourceNotFound);
    await expect(
      events.send(
        new PutItemsCommand({
          datasetArn: 'arn:aws:personalize:us-east-1:123456789012:dataset/other/ITEMS',
          items: [{ itemId: 'x' }],
        }),
      ),
    ).rejects.toBeInstanceOf(EventsResourceNotFound);
  });

  it('InvalidInputException naming the field for bad input', async () => {
    const err = await recommend('u1', { numResults: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputException);
    expect((err as Error).message).toContain('numResults');
    await expect(
      runtime.send(new GetRecommendationsCommand({ campaignArn: ARNS.ranking, userId: 'u1' })),
    ).rejects.toBeInstanceOf(InvalidInputException);
    const badEvent = await events
      .send(new PutEventsCommand({ trackingId: TRACKING_ID, sessionId: 's', eventList: [] }))
      .catch((e: unknown) => e);
    expect((badEvent as Error).name).toBe('InvalidInputException');
    expect((badEvent as Error).message).toContain('eventList');
  });

  it('ThrottlingException when the recommender throttles', async () => {
    const err = await recommend('u1', { campaignArn: ARNS.throttled }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('ThrottlingException');
    expect((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(429);
  });
});

describe('SigV4 verification', () => {
  it('accepts the configured key (every call above) and refuses a wrong secret, an unknown key and no signature', async () => {
    const wrongSecret = new PersonalizeRuntimeClient(clientConfig(base, { ...KEY, secretAccessKey: 'not-it' }));
    const wrong = await wrongSecret
      .send(new GetRecommendationsCommand({ campaignArn: ARNS.forYou, userId: 'u1' }))
      .catch((e: unknown) => e);
    expect((wrong as Error).name).toBe('InvalidSignatureException');
    expect((wrong as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(403);

    const unknownKey = new PersonalizeEventsClient(
      clientConfig(base, { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' }),
    );
    const unknown = await unknownKey
      .send(
        new PutEventsCommand({
          trackingId: TRACKING_ID,
          sessionId: 's',
          eventList: [{ eventType: 'View', sentAt: new Date() }],
        }),
      )
      .catch((e: unknown) => e);
    expect((unknown as Error).name).toBe('UnrecognizedClientException');

    const unsigned = await fetch(`${base}/recommendations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ campaignArn: ARNS.forYou, userId: 'u1' }),
    });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
    expect(await unsigned.json()).toEqual({ message: expect.stringContaining('Missing Authentication Token') });

    // The signature covers the body: a replayed signature with another body is refused.
    const tampered = new PersonalizeRuntimeClient(clientConfig(base));
    // After signing (the deserialize step wraps the HTTP call itself): same length, another user.
    tampered.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body: string | Uint8Array };
        const text = typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8');
        request.body = text.replace('user-1', 'user-2');
        return next(args);
      },
      { step: 'deserialize' },
    );
    const replayed = await tampered
      .send(new GetRecommendationsCommand({ campaignArn: ARNS.forYou, userId: 'user-1' }))
      .catch((e: unknown) => e);
    expect((replayed as Error).name).toBe('InvalidSignatureException');
  });

  it('leaves the project API alone: its routes keep answering unsigned requests', async () => {
    const res = await fetch(`${base}/recommend-items/retail/history/user-39?numResults=2`);
    expect(res.status).toBe(200);
  });
});

describe('a base path in the endpoint', () => {
  it('is kept by SDK v3: requests go to {path}/recommendations', async () => {
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"itemList":[],"recommendationId":"r"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = new PersonalizeRuntimeClient(clientConfig(`http://127.0.0.1:${port}/prod/personalize`));
    await client.send(new GetRecommendationsCommand({ campaignArn: ARNS.forYou, userId: 'u1' }));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(paths).toEqual(['/prod/personalize/recommendations']);
  });
});
