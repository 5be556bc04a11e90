import { PutEventsCommand } from '@aws-sdk/client-personalize-events';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { personalizeEventTrackerTarget } from '../../../../data-plane/events/targets/personalize-event-tracker.ts';
import { sampleBatch, testClients } from '../fixtures.ts';

describe('personalize-event-tracker target', () => {
  it('sends the events with the tracking ID, properties as a JSON string, and no exposures or conversions', async () => {
    const clients = testClients();
    const mock = mockClient(clients.personalizeEvents());
    mock.on(PutEventsCommand).resolves({});
    const target = personalizeEventTrackerTarget({ type: 'personalize-event-tracker', trackingId: 'trk-1' }, clients);

    await target.send(sampleBatch());

    expect(target.name).toBe('personalize-event-tracker:trk-1');
    const calls = mock.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      trackingId: 'trk-1',
      sessionId: 's-1',
      userId: 'u-1',
      eventList: [
        {
          eventId: 'e-1',
          eventType: 'click',
          eventValue: 2.5,
          itemId: 'i-9',
          impression: ['i-9', 'i-8'],
          properties: '{"deviceType":"Phone","hour":9}',
          recommendationId: 'rid-1',
          sentAt: new Date('2026-11-02T10:00:00.000Z'),
        },
      ],
    });
  });

  it('makes no call for a batch without events', async () => {
    const clients = testClients();
    const mock = mockClient(clients.personalizeEvents());
    const target = personalizeEventTrackerTarget({ type: 'personalize-event-tracker', trackingId: 'trk-1' }, clients);
    const batch = sampleBatch();
    await target.send({ ...batch, records: batch.records.filter((r) => r.kind !== 'event') });
    expect(mock.calls()).toHaveLength(0);
  });

  it('lets a rejection through for the fan-out to report', async () => {
    const clients = testClients();
    mockClient(clients.personalizeEvents())
      .on(PutEventsCommand)
      .rejects(Object.assign(new Error('no such tracker'), { name: 'ResourceNotFoundException' }));
    const target = personalizeEventTrackerTarget({ type: 'personalize-event-tracker', trackingId: 'trk-1' }, clients);
    await expect(target.send(sampleBatch())).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
