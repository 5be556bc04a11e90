import { EvidentlyClient, PutProjectEventsCommand } from '@aws-sdk/client-evidently';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { acceptEvents, type EventsDeps } from '../../../data-plane/events/accept-events.ts';
import { parseEventsBody } from '../../../data-plane/events/body.ts';
import { EventDeliveryError } from '../../../data-plane/events/delivery-error.ts';
import type { EventBatch } from '../../../data-plane/events/records.ts';
import type { EventTarget } from '../../../data-plane/events/targets/types.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { experimentsResolved } from '../experiments/config-fixtures.ts';

const namespace = experimentsResolved().namespaces.get('shop')!;
const now = new Date('2026-11-02T10:00:00.000Z');

function setup(failing?: string) {
  const sent: Array<{ target: string; batch: EventBatch }> = [];
  const target = (name: string): EventTarget => ({
    name,
    send: async (batch) => {
      sent.push({ target: name, batch });
      if (name === failing) throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    },
  });
  const evidently = new EvidentlyClient({});
  const evidentlyMock = mockClient(evidently);
  evidentlyMock.on(PutProjectEventsCommand).resolves({ failedEventCount: 0 });
  const deps: EventsDeps = {
    targetsFor: () => [target('kinesis-stream:a'), target('file:events.jsonl')],
    evidently: async () => evidently,
    logger: silentLogger,
    retry: { sleep: async () => {} },
  };
  return { deps, sent, evidentlyMock };
}

const body = (json: unknown) => parseEventsBody(JSON.stringify(json), { now, newSessionId: () => 'gen' });

describe('acceptEvents', () => {
  it('fills only missing properties from auto-context and sends one batch to every target', async () => {
    const { deps, sent } = setup();
    const result = await acceptEvents(
      namespace,
      body({
        userId: 'u1',
        eventList: [
          { eventType: 'click', itemId: 'i1', properties: '{"deviceType":"Tablet"}' },
          { eventType: 'view', itemId: 'i2' },
        ],
      }),
      { now, context: () => ({ deviceType: 'Phone', hour: 9 }) },
      deps,
    );
    expect(result).toEqual({
      accepted: { events: 2, conversions: 0 },
      targets: [
        { target: 'kinesis-stream:a', ok: true },
        { target: 'file:events.jsonl', ok: true },
      ],
    });
    expect(sent.map((s) => s.target)).toEqual(['kinesis-stream:a', 'file:events.jsonl']);
    expect(sent[0]!.batch).toEqual({
      namespace: 'shop',
      partitionKey: 'u1',
      records: [
        {
          kind: 'event',
          namespace: 'shop',
          sessionId: 'u1',
          userId: 'u1',
          eventType: 'click',
          itemId: 'i1',
          properties: { deviceType: 'Tablet', hour: 9 },
          sentAt: '2026-11-02T10:00:00.000Z',
        },
        {
          kind: 'event',
          namespace: 'shop',
          sessionId: 'u1',
          userId: 'u1',
          eventType: 'view',
          itemId: 'i2',
          properties: { deviceType: 'Phone', hour: 9 },
          sentAt: '2026-11-02T10:00:00.000Z',
        },
      ],
    });
  });

  it('does not evaluate auto-context for a conversions-only request', async () => {
    const { deps, sent } = setup();
    const context = () => {
      throw new Error('should not be evaluated');
    };
    const result = await acceptEvents(
      namespace,
      body({ userId: 'u1', experimentConversions: [{ recommender: 'rfy', metric: 'clicks' }] }),
      { now, context },
      deps,
    );
    expect(result.accepted).toEqual({ events: 0, conversions: 1 });
    expect(sent[0]!.batch.records).toMatchObject([
      { kind: 'conversion', recommender: 'rfy', metric: 'clicks', value: 1 },
    ]);
  });

  it('sends evidently conversions to Evidently as a reported target', async () => {
    const { deps, evidentlyMock } = setup();
    const result = await acceptEvents(
      namespace,
      body({ userId: '12', experimentConversions: [{ recommender: 'similar', metric: 'productDetailRecClicked' }] }),
      { now, context: () => ({}) },
      deps,
    );
    expect(result.targets.map((t) => t.target)).toEqual([
      'kinesis-stream:a',
      'file:events.jsonl',
      'evidently:my-store',
    ]);
    expect(evidentlyMock.commandCalls(PutProjectEventsCommand)[0]!.args[0].input).toEqual({
      project: 'my-store',
      events: [
        {
          timestamp: now,
          type: 'aws.evidently.custom',
          data: JSON.stringify({ userDetails: { userId: '12' }, details: { productClicked: 1 } }),
        },
      ],
    });
  });

  it('throws a 502 naming the failed target, with every outcome', async () => {
    const { deps } = setup('kinesis-stream:a');
    const error = await acceptEvents(
      namespace,
      body({ eventList: [{ eventType: 'click' }] }),
      { now, context: () => ({}) },
      deps,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventDeliveryError);
    expect((error as EventDeliveryError).status).toBe(502);
    expect((error as EventDeliveryError).toBody()).toEqual({
      type: 'OriginError',
      code: 'EventDeliveryFailed',
      message: 'events were not delivered to: kinesis-stream:a (AccessDeniedException)',
      targets: [
        { target: 'kinesis-stream:a', ok: false, error: 'AccessDeniedException' },
        { target: 'file:events.jsonl', ok: true },
      ],
    });
  });

  it('sends nothing when a conversion is invalid', async () => {
    const { deps, sent } = setup();
    await expect(
      acceptEvents(
        namespace,
        body({
          userId: 'u1',
          eventList: [{ eventType: 'click' }],
          experimentConversions: [{ recommender: 'ghost', metric: 'm' }],
        }),
        { now, context: () => ({}) },
        deps,
      ),
    ).rejects.toMatchObject({ status: 400 });
    expect(sent).toEqual([]);
  });
});
