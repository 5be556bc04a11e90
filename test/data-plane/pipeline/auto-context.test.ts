import { describe, expect, it } from 'vitest';
import {
  type AutoContextInput,
  evaluateAutoContext,
  evaluateField,
  headerLookup,
  matches,
  seasonOf,
  timeParts,
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

  it('joins every match with | when evaluateAll', () => {
    const headers = { 'cloudfront-is-mobile-viewer': 'true', 'cloudfront-is-tablet-viewer': 'true' };
    expect(evaluateAutoContext(deviceType, input(headers))).toEqual({ deviceType: 'Phone|Tablet' });
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

  it('counts weekdays from Monday = 0', () => {
    expect(timeParts(Date.UTC(2026, 0, 12, 12), undefined, 'UTC').dayOfWeek).toBe(0); // Monday
    expect(timeParts(Date.UTC(2026, 0, 18, 12), undefined, 'UTC').dayOfWeek).toBe(6); // Sunday
  });

  it('maps months to seasons and flips them south of the equator', () => {
    expect([3, 6, 9, 12, 1, 2, 5, 8, 11].map((m) => seasonOf(m, undefined))).toEqual([0, 1, 2, 3, 3, 3, 0, 1, 2]);
    expect([3, 6, 9, 12].map((m) => seasonOf(m, -33.9))).toEqual([2, 3, 0, 1]);
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
