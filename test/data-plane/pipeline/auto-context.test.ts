import { describe, expect, it } from 'vitest';
import {
  type AutoContextInput,
  evaluateAutoContext,
  evaluateField,
  headerLookup,
  matches,
  seasonOf,
  timeParts,
  zoneCacheSizes,
} from '../../../data-plane/pipeline/auto-context.ts';
import type { AutoContext, ContextField } from '../../../schema/resolve-config.ts';
import { resolveConfig } from '../../../schema/resolve-config.ts';

// Thursday 2026-01-15 23:30 UTC.
const NOW = Date.UTC(2026, 0, 15, 23, 30);
const input = (headers: Record<string, string> = {}, now = NOW, defaultTimeZone = 'UTC'): AutoContextInput => ({
  headers: headerLookup(headers),
  now,
  defaultTimeZone,
});

/** Resolves autoContext through the real resolver, so aliases and header case are normalised as in production. */
function autoContext(fields: Record<string, unknown>): AutoContext {
  const resolved = resolveConfig({ autoContext: fields, namespaces: { n: {} } } as never);
  return resolved.namespaces.get('n')!.autoContext;
}

const deviceType = autoContext({
  deviceType: {
    type: 'string',
    default: 'Desktop',
    evaluateAll: true,
    rules: [
      {
        type: 'header-value',
        header: 'cloudfront-is-mobile-viewer',
        valueMappings: [{ operator: 'equals', value: 'true', mapTo: 'Phone' }],
      },
      {
        type: 'header-value',
        header: 'cloudfront-is-tablet-viewer',
        valueMappings: [{ operator: 'equals', value: 'true', mapTo: 'Tablet' }],
      },
    ],
  },
});

describe('header-value rules', () => {
  it('maps header values, matching header names case-insensitively', () => {
    expect(evaluateAutoContext(deviceType, input({ 'CloudFront-Is-Mobile-Viewer': 'true' }))).toEqual({
      deviceType: 'Phone',
    });
  });

  it('sends the first of several evaluateAll matches to the recommender, as the old service sent one value', () => {
    const headers = { 'cloudfront-is-mobile-viewer': 'true', 'cloudfront-is-tablet-viewer': 'true' };
    expect(evaluateAutoContext(deviceType, input(headers))).toEqual({ deviceType: 'Phone' });
  });

  it('joins every evaluateAll match with | for event properties, or at inference with joinValues', () => {
    const headers = { 'cloudfront-is-mobile-viewer': 'true', 'cloudfront-is-tablet-viewer': 'true' };
    expect(evaluateAutoContext(deviceType, input(headers), 'all')).toEqual({ deviceType: 'Phone|Tablet' });
    const joined = { deviceType: { ...deviceType.deviceType!, joinValues: true } };
    expect(evaluateAutoContext(joined, input(headers))).toEqual({ deviceType: 'Phone|Tablet' });
  });

  it('falls back to the default when nothing matches', () => {
    expect(evaluateAutoContext(deviceType, input({ 'cloudfront-is-mobile-viewer': 'false' }))).toEqual({
      deviceType: 'Desktop',
    });
  });

  it('uses the raw header value without mappings and converts it to the field type', () => {
    const ctx = autoContext({
      city: { type: 'string', rules: [{ type: 'header-value', header: 'cloudfront-viewer-city' }] },
      metro: { type: 'integer', rules: [{ type: 'header-value', header: 'cloudfront-viewer-metro-code' }] },
      lat: { type: 'float', rules: [{ type: 'header-value', header: 'cloudfront-viewer-latitude' }] },
    });
    expect(
      evaluateAutoContext(
        ctx,
        input({
          'cloudfront-viewer-city': 'Seattle',
          'cloudfront-viewer-metro-code': '819',
          'cloudfront-viewer-latitude': '47.6',
        }),
      ),
    ).toEqual({ city: 'Seattle', metro: 819, lat: 47.6 });
    expect(evaluateAutoContext(ctx, input({ 'cloudfront-viewer-metro-code': 'n/a' }))).toEqual({});
  });

  it('stops at the first matching rule without evaluateAll', () => {
    const field: ContextField = { ...deviceType.deviceType!, evaluateAll: false };
    const headers = { 'cloudfront-is-mobile-viewer': 'true', 'cloudfront-is-tablet-viewer': 'true' };
    expect(evaluateField(field, input(headers))).toEqual(['Phone']);
  });
});

describe('operators', () => {
  it.each([
    ['equals', 'true', 'true', true],
    ['equals', '4', 4, true],
    ['equals', 'a', 'b', false],
    ['less-than', 3, 4, true],
    ['less-than', 'x', 4, false],
    ['greater-than', 22, 21, true],
    ['contains', 'Mozilla/5.0 (iPhone)', 'iPhone', true],
    ['starts-with', 'US-WA', 'US', true],
    ['ends-with', 'US-WA', 'WA', true],
    ['ends-with', 'US-WA', 'OR', false],
  ] as const)('%s(%s, %s) is %s', (operator, actual, value, expected) => {
    expect(matches(actual, { operator, value, mapTo: 'x' })).toBe(expected);
  });

  it("accepts the old 'start-with' spelling", () => {
    const ctx = autoContext({
      region: {
        type: 'string',
        rules: [
          {
            type: 'header-value',
            header: 'x-region',
            valueMappings: [{ operator: 'start-with', value: 'eu', mapTo: 'Europe' }],
          },
        ],
      },
    });
    expect(evaluateAutoContext(ctx, input({ 'x-region': 'eu-west' }))).toEqual({ region: 'Europe' });
  });
});

describe('time rules', () => {
  const timeOfDay = autoContext({
    timeOfDay: {
      type: 'string',
      rules: [
        {
          type: 'hour-of-day',
          valueMappings: [
            { operator: 'less-than', value: 4, mapTo: 'Night' },
            { operator: 'less-than', value: 11, mapTo: 'Morning' },
            { operator: 'less-than', value: 18, mapTo: 'Afternoon' },
            { operator: 'less-than', value: 22, mapTo: 'Evening' },
            { operator: 'greater-than', value: 21, mapTo: 'Night' },
          ],
        },
      ],
    },
    day: { type: 'integer', rules: [{ type: 'day-of-week' }] },
    hour: { type: 'integer', rules: [{ type: 'hour-of-day' }] },
  });

  it('evaluates in the viewer time zone from cloudfront-viewer-time-zone', () => {
    // 23:30 UTC Thursday is 15:30 Thursday in Los Angeles and 08:30 Friday in Tokyo.
    expect(evaluateAutoContext(timeOfDay, input({ 'cloudfront-viewer-time-zone': 'America/Los_Angeles' }))).toEqual({
      timeOfDay: 'Afternoon',
      day: 3,
      hour: 15,
    });
    expect(evaluateAutoContext(timeOfDay, input({ 'cloudfront-viewer-time-zone': 'Asia/Tokyo' }))).toEqual({
      timeOfDay: 'Morning',
      day: 4,
      hour: 8,
    });
  });

  it('uses the default zone without the header, and when the header is not a zone', () => {
    expect(evaluateAutoContext(timeOfDay, input({}, NOW, 'Europe/Paris'))).toMatchObject({ hour: 0, day: 4 });
    expect(
      evaluateAutoContext(timeOfDay, input({ 'cloudfront-viewer-time-zone': 'Mars/Base' }, NOW, 'UTC')),
    ).toMatchObject({
      hour: 23,
      timeOfDay: 'Night',
    });
  });

  it('shares one formatter between case variants and aliases of a zone, and bounds both caches', () => {
    const hour = autoContext({ h: { type: 'integer', rules: [{ type: 'hour-of-day' }] } });
    const at = (zone: string) => evaluateAutoContext(hour, input({ 'cloudfront-viewer-time-zone': zone })).h;
    expect([at('America/New_York'), at('AMERICA/new_york'), at('US/Eastern'), at('america/NEW_york')]).toEqual([
      18, 18, 18, 18,
    ]);
    const before = zoneCacheSizes().formatters;
    // 20,000 case variants of one zone and 5,000 made-up zones: neither cache grows past its bound.
    for (let i = 0; i < 20_000; i++) {
      const variant = [...'America/New_York'].map((ch, j) =>
        (i >> (j % 14)) & 1 ? ch.toUpperCase() : ch.toLowerCase(),
      );
      expect(at(variant.join(''))).toBe(18);
    }
    for (let i = 0; i < 5_000; i++) expect(at(`Nowhere/Zone${i}`)).toBe(23);
    expect(at('x'.repeat(10_000))).toBe(23);
    expect(zoneCacheSizes().formatters).toBe(before);
    expect(zoneCacheSizes().aliases).toBeLessThanOrEqual(1_024);
  });

  it('counts weekdays from Monday = 0', () => {
    expect(timeParts(Date.UTC(2026, 0, 12, 12), undefined, 'UTC').dayOfWeek).toBe(0); // Monday
    expect(timeParts(Date.UTC(2026, 0, 18, 12), undefined, 'UTC').dayOfWeek).toBe(6); // Sunday
  });

  it('dates seasons from the 21/21/23/23 boundaries by default, as the old service did', () => {
    const on = (month: number, day: number) => seasonOf({ month, day }, undefined);
    expect([on(3, 20), on(3, 21), on(6, 20), on(6, 21), on(9, 22), on(9, 23), on(12, 22), on(12, 23)]).toEqual([
      3, 0, 0, 1, 1, 2, 2, 3,
    ]);
    expect([on(1, 1), on(5, 31), on(8, 15), on(11, 30), on(12, 31)]).toEqual([3, 0, 1, 2, 3]);
    expect(
      [
        [3, 21],
        [6, 21],
        [9, 23],
        [12, 23],
      ].map(([m, d]) => seasonOf({ month: m!, day: d! }, -33.9)),
    ).toEqual([2, 3, 0, 1]);
  });

  it('offers meteorological seasons (whole months) as an option', () => {
    const on = (month: number, day: number) => seasonOf({ month, day }, undefined, 'meteorological');
    expect([on(3, 1), on(6, 1), on(9, 1), on(12, 1), on(3, 20), on(6, 20), on(9, 22), on(12, 22)]).toEqual([
      0, 1, 2, 3, 0, 1, 2, 3,
    ]);
    const rule = autoContext({
      s: { type: 'integer', rules: [{ type: 'season', seasonBoundaries: 'meteorological' }] },
    });
    const march10 = Date.UTC(2026, 2, 10, 12);
    expect(evaluateAutoContext(rule, input({}, march10))).toEqual({ s: 0 });
    const solstice = autoContext({ s: { type: 'integer', rules: [{ type: 'season' }] } });
    expect(evaluateAutoContext(solstice, input({}, march10))).toEqual({ s: 3 });
  });

  it('maps months to seasons and flips them south of the equator', () => {
    expect([3, 6, 9, 12, 1, 2, 5, 8, 11].map((m) => seasonOf({ month: m, day: 25 }, undefined))).toEqual([
      0, 1, 2, 3, 3, 3, 0, 1, 2,
    ]);
    expect([3, 6, 9, 12].map((m) => seasonOf({ month: m, day: 25 }, -33.9))).toEqual([2, 3, 0, 1]);
    const season = autoContext({
      season: {
        type: 'string',
        rules: [
          {
            type: 'season-of-year',
            valueMappings: [
              { operator: 'equals', value: 1, mapTo: 'Summer' },
              { operator: 'equals', value: 3, mapTo: 'Winter' },
            ],
          },
        ],
      },
    });
    expect(evaluateAutoContext(season, input({}))).toEqual({ season: 'Winter' });
    expect(evaluateAutoContext(season, input({ 'cloudfront-viewer-latitude': '-33.86' }))).toEqual({
      season: 'Summer',
    });
  });
});
