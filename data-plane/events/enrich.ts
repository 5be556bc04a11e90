/**
 * Auto-context for events: the namespace's context fields, derived from this request, fill the fields
 * an event's `properties` does not already have. What the client sent always wins.
 */
import type { ParsedEvent } from './body.ts';

/**
 * @example
 * enrichEvent({ eventType: 'click', properties: { deviceType: 'Tablet' }, sentAt }, { deviceType: 'Phone', hour: 9 });
 * // → { eventType: 'click', properties: { hour: 9, deviceType: 'Tablet' }, sentAt }
 */
export function enrichEvent(event: ParsedEvent, context: Readonly<Record<string, string | number>>): ParsedEvent {
  if (Object.keys(context).length === 0) return event;
  return { ...event, properties: { ...context, ...event.properties } };
}
