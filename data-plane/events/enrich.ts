/**
 * Auto-context for events: the namespace's context fields, derived from this request, fill the fields
 * an event's `properties` does not already have. What the client sent always wins, and a context field
 * that would push `properties` past the 1,024 characters Personalize accepts is left out rather than
 * making the whole request fail at the event tracker.
 */
import { MAX_PROPERTIES_LENGTH, type ParsedEvent } from './body.ts';

/**
 * @example
 * enrichEvent({ eventType: 'click', properties: { deviceType: 'Tablet' }, sentAt }, { deviceType: 'Phone', hour: 9 });
 * // → { eventType: 'click', properties: { deviceType: 'Tablet', hour: 9 }, sentAt }
 */
export function enrichEvent(event: ParsedEvent, context: Readonly<Record<string, string | number>>): ParsedEvent {
  const fields = Object.entries(context).filter(([name]) => !Object.hasOwn(event.properties ?? {}, name));
  if (fields.length === 0) return event;
  const properties: Record<string, unknown> = { ...event.properties };
  let length = JSON.stringify(properties).length;
  for (const [name, value] of fields) {
    // Adding `"name":value` plus a comma when the object is not empty.
    const added = JSON.stringify(name).length + 1 + JSON.stringify(value).length + (length > 2 ? 1 : 0);
    if (length + added > MAX_PROPERTIES_LENGTH) continue;
    properties[name] = value;
    length += added;
  }
  return { ...event, properties };
}
