import { describe, expect, it } from 'vitest';
import { attribute } from '../../experiments/attribution.ts';
import { experimentPlans } from '../../experiments/plan.ts';
import { parseRecordLine, parseRecords } from '../../experiments/records.ts';
import { eventRecord, exposureRecord, fixtureConfig, signupRecord } from './fixture.ts';

const START = Date.UTC(2026, 10, 2);
const at = (minutes: number) => START + minutes * 60_000;
const exposure = (userId: string, variation: string, minutes: number, recommendationId: string, itemIds: string[]) =>
  exposureRecord(userId, variation, at(minutes), recommendationId, itemIds);
const purchase = (minutes: number, fields: Record<string, unknown>) => eventRecord('Purchase', at(minutes), fields);
const signup = (userId: string, minutes: number) => signupRecord(userId, at(minutes));

function run(records: object[]) {
  const { records: parsed, malformed } = parseRecords(records.map((r) => JSON.stringify(r)).join('\n'));
  expect(malformed).toEqual([]);
  return attribute(experimentPlans(fixtureConfig()), parsed)[0]!;
}

describe('attribution', () => {
  it('counts a user once, in the variation of their first exposure, from that moment on', () => {
    const home = run([
      exposure('u1', 'control', 0, 'r1', ['a']),
      // A later exposure in the other variation (e.g. after a weight change) does not move the user.
      exposure('u1', 'treatment', 10, 'r2', ['b']),
      exposure('u2', 'treatment', 5, 'r3', ['c']),
      purchase(20, { recommendationId: 'r2', eventValue: 30 }),
      purchase(25, { recommendationId: 'r1', eventValue: 12 }),
    ]);
    expect(home.variations.map((v) => [v.variation, v.exposedUsers])).toEqual([
      ['control', 1],
      ['treatment', 1],
    ]);
    expect(home.variations[0]!.metrics.purchase).toEqual({ convertedUsers: 1, conversions: 2, valueSum: 42 });
    expect(home.variations[1]!.metrics.purchase).toEqual({ convertedUsers: 0, conversions: 0, valueSum: 0 });
    expect(home.variations[0]!.firstExposureAt).toBe(at(0));
  });

  it('attributes by recommendationId without a user, or by an item recommended to the user, within the window', () => {
    const home = run([
      exposure('u1', 'treatment', 0, 'r1', ['a', 'b']),
      purchase(60, { recommendationId: 'r1' }), // by ID, no userId on the event
      purchase(120, { userId: 'u1', itemId: 'b' }), // by item
      purchase(23 * 60, { userId: 'u1', itemId: 'a' }), // by item, inside 24 h
      purchase(25 * 60, { userId: 'u1', itemId: 'a' }), // outside the window: unattributed
      purchase(30, { userId: 'u1', itemId: 'z' }), // an item never recommended: unattributed
      purchase(30, { userId: 'u2', itemId: 'a' }), // someone else's item: unattributed
      purchase(30, { userId: 'u1', itemId: 'a', eventType: 'click' }), // no metric counts clicks
      { ...purchase(30, { userId: 'u1', itemId: 'a' }), namespace: 'other' }, // another namespace
    ]);
    expect(home.variations[1]!.metrics.purchase).toEqual({ convertedUsers: 1, conversions: 3, valueSum: 0 });
    expect(home.unattributed.purchase).toEqual({ conversions: 3, valueSum: 0 });
  });

  it('takes a metric value from eventValue (0 when absent), and counts posted conversions after the first exposure only', () => {
    const home = run([
      signup('u1', -5), // before any exposure: unattributed
      exposure('u1', 'control', 0, 'r1', ['a']),
      signup('u1', 5),
      signup('u1', 6),
      signup('stranger', 6), // never exposed: unattributed
      purchase(10, { recommendationId: 'r1', eventValue: 19.5 }),
      purchase(11, { recommendationId: 'r1' }),
    ]);
    expect(home.variations[0]!.metrics.signup).toEqual({ convertedUsers: 1, conversions: 2, valueSum: 2 });
    expect(home.unattributed.signup).toEqual({ conversions: 2, valueSum: 2 });
    expect(home.variations[0]!.metrics.purchase).toEqual({ convertedUsers: 1, conversions: 2, valueSum: 19.5 });
  });

  it('leaves out exposures of variations the recommender does not have, and says how many', () => {
    const home = run([exposure('u1', 'retired', 0, 'r1', ['a']), exposure('u2', 'control', 0, 'r2', ['a'])]);
    expect(home.unknownVariationExposures).toBe(1);
    expect(home.variations.map((v) => v.exposedUsers)).toEqual([1, 0]);
  });

  it('draws the cumulative rate over time from first exposures and first conversions', () => {
    const home = run([
      exposure('u1', 'control', 0, 'r1', ['a']),
      exposure('u2', 'control', 60, 'r2', ['a']),
      purchase(90, { recommendationId: 'r1' }),
    ]);
    const series = home.series.purchase!;
    expect(series.at(-1)).toEqual({ at: at(90), exposed: [2, 0], converted: [1, 0] });
    expect(series[0]!.exposed[0]).toBe(1);
  });
});

describe('record lines', () => {
  it('names what is wrong with a line', () => {
    expect(parseRecordLine('{"kind":')).toBe('is not valid JSON');
    expect(parseRecordLine('[1]')).toBe('is not a JSON object');
    expect(parseRecordLine('{"kind":"telemetry"}')).toBe(
      'kind: must be exposure, event or conversion, not "telemetry"',
    );
    expect(parseRecordLine('{"kind":"exposure","namespace":"shop"}')).toBe('action: is required');
    expect(parseRecordLine(JSON.stringify(purchase(0, { sentAt: 'noon' })))).toBe(
      'sentAt: must be an ISO-8601 date-time',
    );
    expect(parseRecordLine('   ')).toBeUndefined();
  });
});
