import { describe, expect, it } from 'vitest';
import { parseEventsBody } from '../../../data-plane/events/body.ts';

const now = new Date('2026-11-02T10:00:00.000Z');
const options = { now, newSessionId: () => 'generated-session' };
const parse = (body: unknown) => parseEventsBody(typeof body === 'string' ? body : JSON.stringify(body), options);
const event = { eventType: 'click', itemId: 'i-1' };

describe('events body', () => {
  it('parses a full PutEvents-shaped body with conversions', () => {
    const posted = {
      sessionId: 's-1',
      userId: 'u-1',
      trackingId: 'ignored',
      eventList: [
        {
          eventId: 'e-1',
          eventType: 'click',
          eventValue: 3,
          itemId: 'i-1',
          impression: ['i-1', 'i-2'],
          properties: '{"deviceType":"Phone"}',
          recommendationId: 'rid',
          sentAt: 1_762_077_600,
        },
        { eventType: 'view', sentAt: '2026-11-01T08:00:00+01:00' },
      ],
      experimentConversions: [{ recommender: 'rfy', feature: 'home', metric: 'clicks', value: 2.5 }],
    };
    const body = parse(posted);
    expect(body).toEqual({
      posted,
      sessionId: 's-1',
      userId: 'u-1',
      events: [
        {
          eventId: 'e-1',
          eventType: 'click',
          eventValue: 3,
          itemId: 'i-1',
          impression: ['i-1', 'i-2'],
          properties: { deviceType: 'Phone' },
          recommendationId: 'rid',
          sentAt: new Date(1_762_077_600_000),
        },
        { eventType: 'view', sentAt: new Date('2026-11-01T07:00:00.000Z') },
      ],
      conversions: [{ recommender: 'rfy', feature: 'home', metric: 'clicks', value: 2.5 }],
    });
  });

  it('defaults sentAt to now, value to 1.0 and sessionId to the user', () => {
    const body = parse({
      userId: 'u-1',
      eventList: [event],
      experimentConversions: [{ recommender: 'r', metric: 'm' }],
    });
    expect(body.sessionId).toBe('u-1');
    expect(body.events[0]!.sentAt).toEqual(now);
    expect(body.conversions[0]!.value).toBe(1);
  });

  it('generates a session for an anonymous request', () => {
    expect(parse({ eventList: [event] }).sessionId).toBe('generated-session');
  });

  it.each([
    ['not JSON', '{"userId":', 'body: is not valid JSON'],
    ['an array', [], 'body: must be a JSON object'],
    ['null', 'null', 'body: must be a JSON object'],
    ['neither list', { userId: 'u' }, 'body: needs eventList, experimentConversions or both'],
    ['an empty eventList', { eventList: [] }, 'eventList: needs at least 1 item'],
    [
      'an empty experimentConversions',
      { userId: 'u', experimentConversions: [] },
      'experimentConversions: needs at least 1 item',
    ],
    ['11 events', { eventList: Array(11).fill(event) }, 'eventList: holds at most 10 items'],
    ['a list that is not a list', { eventList: { eventType: 'x' } }, 'eventList: must be an array'],
    ['a missing eventType', { eventList: [event, { itemId: 'i' }] }, 'eventList[1].eventType: is required'],
    ['an empty eventType', { eventList: [{ eventType: '' }] }, 'eventList[0].eventType: must not be empty'],
    ['a numeric userId', { userId: 7, eventList: [event] }, 'userId: must be a string'],
    [
      'a string eventValue',
      { eventList: [{ ...event, eventValue: '3' }] },
      'eventList[0].eventValue: must be a number',
    ],
    [
      'a non-string impression',
      { eventList: [{ ...event, impression: [1] }] },
      'eventList[0].impression[0]: must be a string',
    ],
    [
      'properties as an object',
      { eventList: [event, event, event, { ...event, properties: { a: 1 } }] },
      'eventList[3].properties: must be a JSON object encoded as a string',
    ],
    [
      'properties that are not JSON',
      { eventList: [{ ...event, properties: '{a:1}' }] },
      'eventList[0].properties: must be a JSON object encoded as a string',
    ],
    [
      'properties that are a JSON array',
      { eventList: [{ ...event, properties: '[1,2]' }] },
      'eventList[0].properties: must be a JSON object encoded as a string',
    ],
    [
      'properties longer than Personalize accepts',
      { eventList: [{ ...event, properties: JSON.stringify({ a: 'x'.repeat(1100) }) }] },
      'eventList[0].properties: must be at most 1024 characters',
    ],
    [
      'sentAt in milliseconds',
      { eventList: [{ ...event, sentAt: 1_762_077_600_000_000 }] },
      'eventList[0].sentAt: must be epoch seconds or an ISO-8601 date-time with a time zone',
    ],
    [
      'sentAt without a zone',
      { eventList: [{ ...event, sentAt: '2026-11-02T10:00:00' }] },
      'eventList[0].sentAt: must be epoch seconds or an ISO-8601 date-time with a time zone',
    ],
    [
      'an unknown event field',
      { eventList: [{ ...event, colour: 'red' }] },
      'eventList[0].colour: is not a known field',
    ],
    ['an unknown top-level field', { eventList: [event], extra: 1 }, 'extra: is not a known field'],
    [
      'conversions without a user',
      { experimentConversions: [{ recommender: 'r', metric: 'm' }] },
      'userId: is required with experimentConversions',
    ],
    [
      'a conversion without a metric',
      { userId: 'u', experimentConversions: [{ recommender: 'r' }] },
      'experimentConversions[0].metric: is required',
    ],
    [
      'a string conversion value',
      { userId: 'u', experimentConversions: [{ recommender: 'r', metric: 'm', value: 'high' }] },
      'experimentConversions[0].value: must be a number',
    ],
    [
      'a conversion value too large to be an amount (1e308)',
      { userId: 'u', experimentConversions: [{ recommender: 'r', metric: 'm', value: 1e308 }] },
      'experimentConversions[0].value: must be from -1000000 to 1000000',
    ],
    [
      'a conversion value too small to be a refund (-1e308)',
      { userId: 'u', experimentConversions: [{ recommender: 'r', metric: 'm', value: -1e308 }] },
      'experimentConversions[0].value: must be from -1000000 to 1000000',
    ],
    [
      'a long recommendationId',
      { eventList: [{ ...event, recommendationId: 'r'.repeat(41) }] },
      'eventList[0].recommendationId: must be at most 40 characters',
    ],
  ])('rejects %s with a 400 naming the field', (_what, body, message) => {
    expect(() => parse(body)).toThrow(expect.objectContaining({ status: 400, code: 'InvalidBody', message }));
  });
});
