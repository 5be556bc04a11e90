/**
 * `personalize-event-tracker`: the batch's events sent to an Amazon Personalize event tracker with
 * PutEvents. Exposures and conversions are not interactions and are left out; a batch without events
 * sends nothing. `properties` travels as the JSON string Personalize expects. User records (PutUsers on
 * the compatible API) are forwarded with PutUsers to the dataset they named.
 */
import { PutEventsCommand, PutUsersCommand } from '@aws-sdk/client-personalize-events';
import type { EventTargetConfig } from '../../../schema/config-schema.ts';
import type { EventRecord, UserRecord } from '../records.ts';
import { type EventTarget, type TargetClients, targetName } from './types.ts';

type Config = Extract<EventTargetConfig, { type: 'personalize-event-tracker' }>;

/**
 * @example
 * const target = personalizeEventTrackerTarget({ type: 'personalize-event-tracker', trackingId: 'abc' }, clients);
 * await target.send(batch);
 */
export function personalizeEventTrackerTarget(config: Config, clients: TargetClients): EventTarget {
  return {
    name: targetName(config),
    async send(batch, abortSignal) {
      const users = batch.records.filter((r): r is UserRecord => r.kind === 'user');
      const datasets = new Map<string, UserRecord[]>();
      for (const u of users) datasets.set(u.datasetArn, [...(datasets.get(u.datasetArn) ?? []), u]);
      for (const [datasetArn, records] of datasets) {
        await clients.personalizeEvents().send(
          new PutUsersCommand({
            datasetArn,
            users: records.map((u) => ({
              userId: u.userId,
              properties: u.properties === undefined ? undefined : JSON.stringify(u.properties),
            })),
          }),
          { abortSignal },
        );
      }
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
