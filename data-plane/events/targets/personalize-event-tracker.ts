/**
 * `personalize-event-tracker`: the batch's events sent to an Amazon Personalize event tracker with
 * PutEvents. Exposures and conversions are not interactions and are left out; a batch without events
 * sends nothing. `properties` travels as the JSON string Personalize expects.
 */
import { PutEventsCommand } from '@aws-sdk/client-personalize-events';
import type { EventTargetConfig } from '../../../schema/config-schema.ts';
import type { EventRecord } from '../records.ts';
import type { EventTarget, TargetClients } from './types.ts';

type Config = Extract<EventTargetConfig, { type: 'personalize-event-tracker' }>;

/**
 * @example
 * const target = personalizeEventTrackerTarget({ type: 'personalize-event-tracker', trackingId: 'abc' }, clients);
 * await target.send(batch);
 */
export function personalizeEventTrackerTarget(config: Config, clients: TargetClients): EventTarget {
  return {
    name: `personalize-event-tracker:${config.trackingId}`,
    async send(batch, abortSignal) {
      const events = batch.records.filter((r): r is EventRecord => r.kind === 'event');
      const first = events[0];
      if (!first) return;
      await clients.personalizeEvents().send(
        new PutEventsCommand({
          trackingId: config.trackingId,
          sessionId: first.sessionId,
          userId: first.userId,
          eventList: events.map((e) => ({
            eventId: e.eventId,
            eventType: e.eventType,
            eventValue: e.eventValue,
            itemId: e.itemId,
            impression: e.impression,
            properties: e.properties === undefined ? undefined : JSON.stringify(e.properties),
            recommendationId: e.recommendationId,
            sentAt: new Date(e.sentAt),
          })),
        }),
        { abortSignal },
      );
    },
  };
}
