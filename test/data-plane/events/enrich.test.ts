import { describe, expect, it } from 'vitest';
import { MAX_PROPERTIES_LENGTH } from '../../../data-plane/events/body.ts';
import { enrichEvent } from '../../../data-plane/events/enrich.ts';

const sentAt = new Date('2026-11-23T10:00:00Z');

describe('enrichEvent', () => {
  it('fills only the fields the client did not send', () => {
    const event = { eventType: 'click', properties: { deviceType: 'Tablet' }, sentAt };
    expect(enrichEvent(event, { deviceType: 'Phone', hour: 9 }).properties).toEqual({ deviceType: 'Tablet', hour: 9 });
  });

  it('adds properties to an event that had none, and leaves events alone without context', () => {
    expect(enrichEvent({ eventType: 'view', sentAt }, { city: 'Lyon' }).properties).toEqual({ city: 'Lyon' });
    const event = { eventType: 'view', sentAt };
    expect(enrichEvent(event, {})).toBe(event);
  });

  it('leaves out context fields that would push properties past what Personalize accepts', () => {
    const note = 'x'.repeat(MAX_PROPERTIES_LENGTH - 30);
    const event = { eventType: 'view', properties: { note }, sentAt };
    const enriched = enrichEvent(event, { d: 'Phone', city: 'A very long city name that does not fit' });
    expect(enriched.properties).toEqual({ note, d: 'Phone' });
    expect(JSON.stringify(enriched.properties).length).toBeLessThanOrEqual(MAX_PROPERTIES_LENGTH);
  });

  it('counts exactly: a field that lands on the limit is kept', () => {
    const base = { a: 'x'.repeat(1000) };
    const room = MAX_PROPERTIES_LENGTH - JSON.stringify(base).length; // ,"b":"…"
    const value = 'y'.repeat(room - 7);
    const enriched = enrichEvent({ eventType: 'v', properties: base, sentAt }, { b: value });
    expect(JSON.stringify(enriched.properties).length).toBe(MAX_PROPERTIES_LENGTH);
  });
});
