/**
 * Each posted record's idempotency key: what makes a retried `POST /events` the same events, so the
 * delivery ledger sends them only to the targets that did not take them.
 *
 * - An event with an `eventId` is keyed by (namespace, sessionId, userId, eventId).
 * - An event without one but with a `sentAt` is keyed by its content as posted: namespace, sessionId,
 *   userId, eventType, itemId, eventValue, impression, recommendationId, properties (before auto-context
 *   fills them) and sentAt (as an instant, so epoch seconds and ISO text agree). The Personalize SDK
 *   always sends `sentAt`, so every PutEvents event is keyed.
 * - An event with neither has no identity: a repeat cannot be told from a retry, so it is delivered
 *   every time it is posted, as before (the server's clock would make its key differ per request).
 * - A conversion has no id or time of its own: it is keyed by the request's event keys, its position
 *   and its fields — only when every event of the request is keyed (a conversion posted alone is
 *   delivered every time).
 *
 * Keys are SHA-256 hashes (base64url, 43 characters), whatever the length of the client's text.
 */
import { createHash } from 'node:crypto';
import type { EventsBody } from './body.ts';
import type { ConversionRecord, EventRecord, EventsRecord } from './records.ts';

const hash = (parts: readonly unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('base64url');

/**
 * @example
 * const keys = idempotencyKeys('shop', body, events, conversions.records);
 * keys.get(events[0]); // → 'q2x…' (undefined when the event has neither eventId nor sentAt)
 */
export function idempotencyKeys(
  namespace: string,
  body: EventsBody,
  events: readonly EventRecord[],
  conversions: readonly ConversionRecord[],
): Map<EventsRecord, string> {
  const keys = new Map<EventsRecord, string>();
  const posted = Array.isArray(body.posted.eventList) ? (body.posted.eventList as Array<Record<string, unknown>>) : [];
  const scope = [namespace, body.sessionId, body.userId ?? null];
  body.events.forEach((event, i) => {
    const record = events[i];
    if (!record) return;
    if (event.eventId !== undefined) keys.set(record, hash(['id', ...scope, event.eventId]));
    else if (posted[i]?.sentAt !== undefined) {
      keys.set(
        record,
        hash([
          'event',
          ...scope,
          event.eventType,
          event.itemId ?? null,
          event.eventValue ?? null,
          event.impression ?? null,
          event.recommendationId ?? null,
          event.properties ?? null,
          event.sentAt.getTime(),
        ]),
      );
    }
  });
  if (events.length > 0 && events.every((e) => keys.has(e))) {
    const request = events.map((e) => keys.get(e));
    conversions.forEach((c, i) => {
      keys.set(c, hash(['conversion', ...scope, request, i, c.recommender, c.feature, c.metric, c.value]));
    });
  }
  return keys;
}
