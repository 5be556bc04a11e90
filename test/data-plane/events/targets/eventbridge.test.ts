import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { EventsRecord } from '../../../../data-plane/events/records.ts';
import { PartialDeliveryError } from '../../../../data-plane/events/retryable.ts';
import { eventBridgeTarget } from '../../../../data-plane/events/targets/eventbridge.ts';
import { sampleBatch, testClients } from '../fixtures.ts';

describe('eventbridge target', () => {
  it('puts one entry per record on the bus, detail-type by kind, default source', async () => {
    const clients = testClients();
    const mock = mockClient(clients.eventBridge());
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }, { EventId: '2' }] });
    const target = eventBridgeTarget({ type: 'eventbridge', eventBusName: 'shop-bus' }, clients);
    const batch = sampleBatch();

    await target.send(batch);

    expect(target.name).toBe('eventbridge:shop-bus');
    const calls = mock.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Entries: [
        {
          EventBusName: 'shop-bus',
          Source: 'personalization.apis',
          DetailType: 'Personalization Event',
          Detail: JSON.stringify(batch.records[0]),
          Time: new Date('2026-11-02T10:00:00.000Z'),
        },
        {
          EventBusName: 'shop-bus',
          Source: 'personalization.apis',
          DetailType: 'Personalization Experiment Exposure',
          Detail: JSON.stringify(batch.records[1]),
          Time: new Date('2026-11-02T09:59:00.000Z'),
        },
        {
          EventBusName: 'shop-bus',
          Source: 'personalization.apis',
          DetailType: 'Personalization Experiment Conversion',
          Detail: JSON.stringify(batch.records[2]),
          Time: new Date('2026-11-02T10:00:00.000Z'),
        },
      ],
    });
  });

  it('uses the default bus and a configured source', async () => {
    const clients = testClients();
    const mock = mockClient(clients.eventBridge());
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    const target = eventBridgeTarget({ type: 'eventbridge', source: 'my.app' }, clients);
    await target.send(sampleBatch());
    expect(target.name).toBe('eventbridge:default');
    const entries = mock.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries!;
    expect(entries.map((e) => [e.EventBusName, e.Source])).toEqual([
      ['default', 'my.app'],
      ['default', 'my.app'],
      ['default', 'my.app'],
    ]);
  });

  it('splits more than ten records into calls of at most ten entries', async () => {
    const clients = testClients();
    const mock = mockClient(clients.eventBridge());
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    const batch = sampleBatch();
    const many: EventsRecord[] = Array.from({ length: 23 }, (_, i) => ({ ...batch.records[1]!, userId: `u-${i}` }));
    await eventBridgeTarget({ type: 'eventbridge' }, clients).send({ ...batch, records: many });
    const sizes = mock.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!.length);
    expect(sizes).toEqual([10, 10, 3]);
    const users = mock
      .commandCalls(PutEventsCommand)
      .flatMap((c) => c.args[0].input.Entries!.map((e) => JSON.parse(e.Detail!).userId));
    expect(users).toEqual(many.map((r) => r.userId));
  });

  it('reports rejected entries as a partial failure holding only those records', async () => {
    const clients = testClients();
    mockClient(clients.eventBridge())
      .on(PutEventsCommand)
      .resolves({
        FailedEntryCount: 1,
        Entries: [{ EventId: '1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }, { EventId: '3' }],
      });
    const batch = sampleBatch();
    const error = await eventBridgeTarget({ type: 'eventbridge' }, clients)
      .send(batch)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialDeliveryError);
    const partial = error as PartialDeliveryError;
    expect(partial.retryable).toBe(true);
    expect(partial.remaining.records).toEqual([batch.records[1]]);
    expect(partial.message).toContain('ThrottlingException');
  });

  it('marks entry errors that cannot succeed on retry as not retryable', async () => {
    const clients = testClients();
    mockClient(clients.eventBridge())
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException' }, {}, {}] });
    const error = await eventBridgeTarget({ type: 'eventbridge' }, clients)
      .send(sampleBatch())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PartialDeliveryError', retryable: false });
  });

  it('rethrows the error itself when every call failed', async () => {
    const clients = testClients();
    mockClient(clients.eventBridge())
      .on(PutEventsCommand)
      .rejects(Object.assign(new Error('no bus'), { name: 'ResourceNotFoundException' }));
    await expect(eventBridgeTarget({ type: 'eventbridge' }, clients).send(sampleBatch())).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
