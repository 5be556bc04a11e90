import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EvaluateFeatureCommand, EvidentlyClient, PutProjectEventsCommand } from '@aws-sdk/client-evidently';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBackgroundTasks } from '../../../data-plane/events/background.ts';
import {
  createEventsService,
  type EventClients,
  type EventsService,
} from '../../../data-plane/events/events-service.ts';
import { assignByHash } from '../../../data-plane/experiments/hash-bucketing.ts';
import type { LearnEvent } from '../../../data-plane/origins/builtin/model.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { deviceTypeFromUserAgent } from '../../helpers/device-type-context.ts';
import { appFor, json, startTinyRecommender, type TinyRecommender } from '../helpers.ts';

const NOW = Date.parse('2026-11-02T10:00:00.000Z');

function eventClients(): EventClients {
  const clients = {
    personalizeEvents: new PersonalizeEventsClient({}),
    kinesis: new KinesisClient({}),
    firehose: new FirehoseClient({}),
    eventBridge: new EventBridgeClient({}),
    evidently: new EvidentlyClient({}),
  };
  return {
    personalizeEvents: () => clients.personalizeEvents,
    kinesis: () => clients.kinesis,
    firehose: () => clients.firehose,
    eventBridge: () => clients.eventBridge,
    evidently: async () => clients.evidently,
  };
}

function config(base: string, file: string) {
  const http = (path: string) => ({ type: 'http', url: `${base}/recs`, headers: { 'x-variation': path } });
  return {
    version: 'ev-1',
    namespaces: {
      shop: {
        autoContext: deviceTypeFromUserAgent,
        recommenders: {
          'recommend-items': {
            'for-you': {
              experiments: {
                'home-ab': { method: 'hash', weights: { left: 50, right: 50 }, metrics: { addToCart: {} } },
              },
              variations: { left: http('left'), right: http('right') },
            },
            plain: { variations: { only: http('only') } },
          },
          'related-items': {
            similar: {
              experiments: {
                pdp: {
                  method: 'evidently',
                  project: 'my-store',
                  metrics: { clicked: { trackExposures: true, entityIdKey: 'user.id', valueKey: 'clicked' } },
                },
              },
              variations: { sims: http('sims'), other: http('other') },
            },
          },
        },
        eventTargets: [{ type: 'file', path: file }, { type: 'builtin' }],
      },
      quiet: {},
      legacy: {
        autoContext: deviceTypeFromUserAgent,
        eventTargets: [{ type: 'kinesis-stream', streamName: 'old-consumers', recordFormat: 'request' }],
      },
      streamed: {
        eventTargets: [
          { type: 'kinesis-stream', streamName: 'clicks' },
          { type: 'file', path: file },
        ],
      },
    },
  };
}

let recommender: TinyRecommender;
let dir: string;

beforeAll(async () => {
  recommender = await startTinyRecommender();
  dir = await mkdtemp(join(tmpdir(), 'p13n-events-route-'));
});

afterAll(async () => {
  await recommender.close();
  await rm(dir, { recursive: true, force: true });
});

describe('POST /events/{namespace} and exposures through the app', () => {
  let file: string;
  let learned: Array<{ namespace: string; events: readonly LearnEvent[] }>;
  let clients: EventClients;
  let events: EventsService;
  let app: Awaited<ReturnType<typeof appFor>>;
  let counter = 0;

  beforeEach(async () => {
    counter += 1;
    file = join(dir, `run-${counter}`, 'events.jsonl');
    learned = [];
    clients = eventClients();
    events = createEventsService({
      background: createBackgroundTasks({ logger: silentLogger }),
      logger: silentLogger,
      clock: () => NOW,
      defaultTimeZone: 'UTC',
      clients,
      learn: (namespace, list) => {
        learned.push({ namespace, events: list });
      },
      retry: { sleep: async () => {} },
      newSessionId: () => 'generated-session',
    });
    app = await appFor(config(recommender.url, file), { events, clock: () => NOW });
  });

  const lines = async () =>
    (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));

  const post = (namespace: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(`/events/${namespace}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('records an exposure for a served experiment response and a conversion for a posted one (file target)', async () => {
    const variation = assignByHash('home-ab', { weights: { left: 50, right: 50 } }, ['left', 'right'], 'user-7');
    const served = await app.request('/recommend-items/shop/for-you/user-7');
    expect(served.status).toBe(200);
    const servedBody = await json(served);
    expect(servedBody.matchedExperiment).toEqual({
      method: 'hash',
      feature: 'home-ab',
      variation,
      type: 'hash',
      details: { experiment: 'home-ab', treatment: variation },
    });
    expect(recommender.requests.at(-1)!.headers['x-variation']).toBe(variation);
    await events.background.idle();

    const converted = await post('shop', {
      userId: 'user-7',
      experimentConversions: [{ recommender: 'for-you', metric: 'addToCart' }],
    });
    expect(converted.status).toBe(200);
    expect(await json(converted)).toEqual({
      accepted: { events: 0, conversions: 1 },
      targets: [
        { target: 'file:events.jsonl', ok: true },
        { target: 'builtin', ok: true },
      ],
    });

    expect(await lines()).toEqual([
      {
        kind: 'exposure',
        namespace: 'shop',
        action: 'recommend-items',
        recommender: 'for-you',
        feature: 'home-ab',
        variation,
        method: 'hash',
        userId: 'user-7',
        recommendationId: servedBody.recommendationId,
        itemIds: servedBody.itemList.map((item: { itemId: string }) => item.itemId),
        timestamp: '2026-11-02T10:00:00.000Z',
      },
      {
        kind: 'conversion',
        namespace: 'shop',
        action: 'recommend-items',
        recommender: 'for-you',
        feature: 'home-ab',
        variation,
        method: 'hash',
        metric: 'addToCart',
        value: 1,
        userId: 'user-7',
        timestamp: '2026-11-02T10:00:00.000Z',
      },
    ]);
  });

  it('records no exposure when no experiment served the response', async () => {
    expect((await app.request('/recommend-items/shop/plain/user-7')).status).toBe(200);
    expect((await app.request('/recommend-items/shop/for-you/user-7?decorateItems=no')).status).toBe(200);
    await events.background.idle();
    expect((await lines()).map((r) => r.recommender)).toEqual(['for-you']);
  });

  it('sends Evidently exposures in the background for evidently experiments', async () => {
    const evidently = mockClient(await clients.evidently());
    evidently.on(EvaluateFeatureCommand).resolves({ value: { stringValue: 'other' }, reason: 'EXPERIMENT_RULE_MATCH' });
    evidently.on(PutProjectEventsCommand).resolves({ failedEventCount: 0 });
    const res = await app.request('/related-items/shop/similar/item-1?userId=user-9');
    expect((await json(res)).matchedExperiment).toEqual({
      method: 'evidently',
      feature: 'pdp',
      variation: 'other',
      type: 'evidently',
      details: { experiment: 'pdp', treatment: 'other' },
    });
    await events.background.idle();
    expect(evidently.commandCalls(PutProjectEventsCommand)[0]!.args[0].input).toEqual({
      project: 'my-store',
      events: [
        {
          timestamp: new Date(NOW),
          type: 'aws.evidently.custom',
          data: JSON.stringify({ user: { id: 'user-9' }, clicked: 0 }),
        },
      ],
    });
    expect((await lines())[0]).toMatchObject({ kind: 'exposure', method: 'evidently', variation: 'other' });
  });

  it('serves the first variation without matchedExperiment when Evidently fails', async () => {
    mockClient(await clients.evidently())
      .on(EvaluateFeatureCommand)
      .rejects(new Error('Evidently is gone'));
    const res = await app.request('/related-items/shop/similar/item-1?userId=user-9');
    expect(res.status).toBe(200);
    expect((await json(res)).matchedExperiment).toBeUndefined();
    expect(recommender.requests.at(-1)!.headers['x-variation']).toBe('sims');
  });

  it('accepts events, fills missing properties from auto-context, feeds the builtin model, never caches', async () => {
    const res = await post(
      'shop',
      {
        userId: 'user-7',
        eventList: [
          { eventType: 'click', itemId: 'i-1', properties: '{"deviceType":"Tablet","page":"home"}' },
          { eventType: 'view', itemId: 'i-2', sentAt: 1_762_000_000 },
        ],
      },
      { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-personalization-config-version')).toBe('ev-1');
    expect((await json(res)).accepted).toEqual({ events: 2, conversions: 0 });
    expect(await lines()).toEqual([
      {
        kind: 'event',
        namespace: 'shop',
        sessionId: 'user-7',
        userId: 'user-7',
        eventType: 'click',
        itemId: 'i-1',
        properties: { deviceType: 'Tablet', page: 'home' },
        sentAt: '2026-11-02T10:00:00.000Z',
      },
      {
        kind: 'event',
        namespace: 'shop',
        sessionId: 'user-7',
        userId: 'user-7',
        eventType: 'view',
        itemId: 'i-2',
        properties: { deviceType: 'Phone' },
        sentAt: '2025-11-01T12:26:40.000Z',
      },
    ]);
    expect(learned).toEqual([
      {
        namespace: 'shop',
        events: [
          { userId: 'user-7', itemId: 'i-1', eventType: 'click', timestamp: NOW / 1000 },
          { userId: 'user-7', itemId: 'i-2', eventType: 'view', timestamp: 1_762_000_000 },
        ],
      },
    ]);
  });

  it('accepts a sendBeacon-style text/plain body and generates a session for anonymous events', async () => {
    const res = await app.request('/events/shop', {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ eventList: [{ eventType: 'view', itemId: 'i-3' }] }),
    });
    expect(res.status).toBe(200);
    expect((await lines())[0]).toMatchObject({ sessionId: 'generated-session', properties: { deviceType: 'Desktop' } });
  });

  it("puts the old service's request document on a 'request'-format stream: headers, query and enriched body", async () => {
    const kinesis = mockClient(clients.kinesis());
    kinesis.on(PutRecordCommand).resolves({ ShardId: 'shardId-0', SequenceNumber: '1' });
    const body = {
      sessionId: 's-9',
      userId: 'u-9',
      eventList: [
        { eventType: 'click', itemId: 'i-1', properties: '{"page":"home"}' },
        { eventType: 'view', itemId: 'i-2' },
      ],
    };
    const res = await app.request('/events/legacy?source=app&v=2', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'iPhone', authorization: 'Bearer secret' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const calls = kinesis.commandCalls(PutRecordCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.StreamName).toBe('old-consumers');
    expect(input.PartitionKey).toBe('s-9');
    const document = JSON.parse(Buffer.from(input.Data!).toString('utf8'));
    expect(document).toEqual({
      namespace: 'legacy',
      path: '/events/legacy',
      headers: { 'content-type': 'application/json', 'user-agent': 'iPhone' },
      queryStringParameters: { source: 'app', v: '2' },
      body: {
        sessionId: 's-9',
        userId: 'u-9',
        eventList: [
          { eventType: 'click', itemId: 'i-1', properties: '{"page":"home","deviceType":"Phone"}' },
          { eventType: 'view', itemId: 'i-2', properties: '{"deviceType":"Phone"}' },
        ],
      },
    });
  });

  it('answers 502 naming the failed target when a target fails, after retrying retryable errors', async () => {
    const kinesis = mockClient(clients.kinesis());
    kinesis
      .on(PutRecordCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));
    const res = await post('streamed', { sessionId: 's-1', eventList: [{ eventType: 'click', itemId: 'i-1' }] });
    expect(res.status).toBe(502);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await json(res)).toEqual({
      type: 'OriginError',
      code: 'EventDeliveryFailed',
      message: 'events were not delivered to: kinesis-stream:clicks (ProvisionedThroughputExceededException)',
      targets: [
        { target: 'kinesis-stream:clicks', ok: false, error: 'ProvisionedThroughputExceededException' },
        { target: 'file:events.jsonl', ok: true },
      ],
      requestId: expect.any(String),
    });
    expect(kinesis.commandCalls(PutRecordCommand)).toHaveLength(3);
    expect(kinesis.commandCalls(PutRecordCommand)[0]!.args[0].input.PartitionKey).toBe('s-1');
  });

  it('answers 404 NamespaceNotFound for an unknown namespace', async () => {
    const res = await post('nope', { eventList: [{ eventType: 'click' }] });
    expect(res.status).toBe(404);
    expect(await json(res)).toMatchObject({ type: 'ClientError', code: 'NamespaceNotFound' });
  });

  it('answers 404 NamespaceEventTargetsNotFound for a namespace without eventTargets, as the old service did', async () => {
    const res = await post('quiet', { userId: 'u', eventList: [{ eventType: 'click' }] });
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({
      type: 'ClientError',
      code: 'NamespaceEventTargetsNotFound',
      message: "namespace 'quiet' has no eventTargets configured",
    });
  });

  it.each([
    ['not JSON', '{"eventList": [', 'body: is not valid JSON'],
    ['an empty body', '', 'body: is not valid JSON'],
    ['an empty eventList', { eventList: [] }, 'eventList: needs at least 1 item'],
    ['eleven events', { eventList: Array(11).fill({ eventType: 'x' }) }, 'eventList: holds at most 10 items'],
    [
      'non-object properties',
      {
        eventList: [{ eventType: 'x' }, { eventType: 'x' }, { eventType: 'x' }, { eventType: 'x', properties: '"hi"' }],
      },
      'eventList[3].properties: must be a JSON object encoded as a string',
    ],
    [
      'an unknown recommender in a conversion',
      { userId: 'u', experimentConversions: [{ recommender: 'ghost', metric: 'addToCart' }] },
      "experimentConversions[0].recommender: namespace 'shop' has no recommender 'ghost'",
    ],
    [
      'an unknown metric',
      { userId: 'u', experimentConversions: [{ recommender: 'for-you', metric: 'views' }] },
      "experimentConversions[0].metric: experiment 'home-ab' has no metric 'views' (it has: addToCart)",
    ],
  ])('answers 400 naming the field for %s, and delivers nothing', async (_what, body, message) => {
    const res = await post('shop', body);
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await json(res)).toEqual({ type: 'ClientError', code: expect.any(String), message });
    await expect(readFile(file, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(learned).toEqual([]);
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await post('shop', 'x'.repeat(300 * 1024));
    expect(res.status).toBe(413);
    expect(await json(res)).toMatchObject({ code: 'PayloadTooLarge' });
  });

  it('answers 405 for other methods', async () => {
    const res = await app.request('/events/shop');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('rejects an unknown feature on inference with a 400 naming the parameter', async () => {
    const res = await app.request('/recommend-items/shop/for-you/user-7?feature=nope');
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ code: 'UnknownFeature', message: expect.stringMatching(/^feature: /) });
  });
});
