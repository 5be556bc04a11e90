import { EvidentlyClient, PutProjectEventsCommand } from '@aws-sdk/client-evidently';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { acceptEvents, type EventsDeps } from '../../../data-plane/events/accept-events.ts';
import { parseEventsBody } from '../../../data-plane/events/body.ts';
import { EventDeliveryError } from '../../../data-plane/events/delivery-error.ts';
import { type DeliveryLedger, ledgerId, memoryLedger } from '../../../data-plane/events/delivery-ledger.ts';
import { idempotencyKeys } from '../../../data-plane/events/idempotency-keys.ts';
import type { EventBatch } from '../../../data-plane/events/records.ts';
import type { EventTarget } from '../../../data-plane/events/targets/types.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { experimentsResolved } from '../experiments/config-fixtures.ts';

const namespace = experimentsResolved().namespaces.get('shop')!;
const now = new Date('2026-11-02T10:00:00.000Z');
const SENT_AT = '2026-11-02T09:59:00Z';

/** Targets that record what they were sent; `failing` names those that throw (non-retryable) this round. */
function setup(ledger: DeliveryLedger | null = memoryLedger({ ttlSeconds: 3600, claimMs: 30_000, clock: Date.now })) {
  const sent: Array<{ target: string; batch: EventBatch }> = [];
  const failing = new Set<string>();
  const target = (name: string): EventTarget => ({
    name,
    send: async (batch) => {
      if (failing.has(name)) throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      sent.push({ target: name, batch });
    },
  });
  const evidently = new EvidentlyClient({});
  const evidentlyMock = mockClient(evidently);
  evidentlyMock.on(PutProjectEventsCommand).resolves({ failedEventCount: 0 });
  const targets = [target('kinesis-stream:a'), target('file:events.jsonl'), target('builtin')];
  const logged: string[] = [];
  const deps: EventsDeps = {
    targetsFor: () => targets,
    evidently: async () => evidently,
    logger: { ...silentLogger, error: (message) => logged.push(message) },
    retry: { sleep: async () => {} },
    ...(ledger ? { ledger } : {}),
  };
  const post = (json: unknown) =>
    acceptEvents(
      namespace,
      parseEventsBody(JSON.stringify(json), { now, newSessionId: () => 'gen' }),
      { now, context: () => ({}) },
      deps,
    );
  return { post, sent, failing, evidentlyMock, logged };
}

const clicked = { userId: 'u1', eventList: [{ eventType: 'click', itemId: 'i1', sentAt: SENT_AT }] };

describe('idempotent event delivery', () => {
  it('sends a retry after one target failed only to that target, and answers which targets already had it', async () => {
    const { post, sent, failing } = setup();
    failing.add('file:events.jsonl');
    const error = (await post(clicked).catch((e: unknown) => e)) as EventDeliveryError;
    expect(error).toBeInstanceOf(EventDeliveryError);
    expect(error.status).toBe(502);
    expect(error.toBody().targets).toEqual([
      { target: 'kinesis-stream:a', ok: true },
      { target: 'file:events.jsonl', ok: false, error: 'AccessDeniedException' },
      { target: 'builtin', ok: true },
    ]);
    expect(sent.map((s) => s.target)).toEqual(['kinesis-stream:a', 'builtin']);

    failing.clear();
    sent.length = 0;
    const retried = await post(clicked);
    expect(sent.map((s) => s.target)).toEqual(['file:events.jsonl']);
    expect(retried.targets).toEqual([
      { target: 'kinesis-stream:a', ok: true, alreadyDelivered: 1 },
      { target: 'file:events.jsonl', ok: true },
      { target: 'builtin', ok: true, alreadyDelivered: 1 },
    ]);

    sent.length = 0;
    await post(clicked);
    expect(sent).toEqual([]);
  });

  it('sends a retry with one new event only that event to the targets that took the first', async () => {
    const { post, sent } = setup();
    await post(clicked);
    sent.length = 0;
    await post({
      userId: 'u1',
      eventList: [...clicked.eventList, { eventType: 'click', itemId: 'i2', sentAt: SENT_AT }],
    });
    expect(sent.map((s) => [s.target, s.batch.records.map((r) => (r.kind === 'event' ? r.itemId : r.kind))])).toEqual([
      ['kinesis-stream:a', ['i2']],
      ['file:events.jsonl', ['i2']],
      ['builtin', ['i2']],
    ]);
  });

  it('keys an event by its eventId whatever else changes, and by content only when it has a sentAt', async () => {
    const { post, sent } = setup();
    await post({ userId: 'u1', eventList: [{ eventId: 'e-1', eventType: 'click', itemId: 'i1' }] });
    await post({ userId: 'u1', eventList: [{ eventId: 'e-1', eventType: 'click', itemId: 'i1', eventValue: 2 }] });
    expect(sent).toHaveLength(3);
    sent.length = 0;
    // Neither eventId nor sentAt: a repeat cannot be told from a retry, so both are delivered.
    await post({ userId: 'u1', eventList: [{ eventType: 'click', itemId: 'i1' }] });
    await post({ userId: 'u1', eventList: [{ eventType: 'click', itemId: 'i1' }] });
    expect(sent).toHaveLength(6);
  });

  it('sends an evidently conversion once though the request is retried after another target failed', async () => {
    const { post, failing, evidentlyMock } = setup();
    const request = {
      userId: '12',
      eventList: [{ eventType: 'click', itemId: 'i1', sentAt: SENT_AT }],
      experimentConversions: [{ recommender: 'similar', metric: 'productDetailRecClicked' }],
    };
    failing.add('kinesis-stream:a');
    await expect(post(request)).rejects.toBeInstanceOf(EventDeliveryError);
    failing.clear();
    await post(request);
    expect(evidentlyMock.commandCalls(PutProjectEventsCommand)).toHaveLength(1);
  });

  it('reports a target whose records another request is delivering right now as in progress, sending nothing twice', async () => {
    const ledger = memoryLedger({ ttlSeconds: 3600, claimMs: 30_000, clock: Date.now });
    const { post, sent } = setup(ledger);
    // Another request holds the claim on the file target.
    const body = parseEventsBody(JSON.stringify(clicked), { now, newSessionId: () => 'gen' });
    const events = body.events.map((e) => ({
      kind: 'event' as const,
      namespace: 'shop',
      sessionId: 'u1',
      userId: 'u1',
      ...e,
      sentAt: e.sentAt.toISOString(),
    }));
    const key = idempotencyKeys('shop', body, events, []).get(events[0]!)!;
    await ledger.claim({ namespace: 'shop', target: 'file:events.jsonl' }, [key]);
    const error = (await post(clicked).catch((e: unknown) => e)) as EventDeliveryError;
    expect(error.toBody().targets).toContainEqual({
      target: 'file:events.jsonl',
      ok: false,
      error: 'DeliveryInProgress',
    });
    expect(sent.map((s) => s.target)).toEqual(['kinesis-stream:a', 'builtin']);
  });

  it('keeps at most maxEntries keys and forgets a delivery after its window', async () => {
    let clock = 0;
    const ledger = memoryLedger({ ttlSeconds: 60, claimMs: 1000, clock: () => clock, maxEntries: 2 });
    const scope = { namespace: 'shop', target: 'file:a' };
    for (const key of ['k1', 'k2', 'k3']) {
      const claim = await ledger.claim(scope, [key]);
      await claim.commit([key]);
    }
    expect((await ledger.claim(scope, ['k3'])).taken).toEqual(new Set(['k3']));
    expect((await ledger.claim(scope, ['k1'])).claimed).toEqual(new Set(['k1']));
    clock += 61_000;
    expect((await ledger.claim(scope, ['k3'])).claimed).toEqual(new Set(['k3']));
    expect(ledgerId(scope, 'x'.repeat(10_000))).toHaveLength(43);
  });

  it('delivers every target whole and logs it when the ledger cannot be reached', async () => {
    const down: DeliveryLedger = {
      claim: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'TimeoutError' });
      },
    };
    const { post, sent, logged } = setup(down);
    const result = await post(clicked);
    expect(result.targets.every((t) => t.ok)).toBe(true);
    expect(sent).toHaveLength(3);
    expect(logged.filter((m) => m.startsWith('event idempotency ledger unavailable'))).toHaveLength(3);
  });

  it('without a ledger delivers every request whole, as before', async () => {
    const { post, sent } = setup(null);
    await post(clicked);
    await post(clicked);
    expect(sent).toHaveLength(6);
  });
});
