/**
 * The response cache's key: everything that decides an inference response and nothing else — the
 * configuration version, method, action, path parameters, the query (parameter order irrelevant) and
 * the values of the request headers the recommender's auto-context and filter rules read. Time-based
 * rules also read the clock, so their recommenders add a quarter-hour bucket (time-zone offsets are
 * whole quarter hours) and a cached answer never outlives the hour, weekday or season it was made for.
 */

import type { ResolvedRecommender } from '../../schema/resolve-config.ts';
import { TIME_ZONE_HEADER } from '../../schema/resolve-config.ts';
import type { InferenceRequest } from '../pipeline/serve-inference.ts';

const QUARTER_HOUR_MS = 15 * 60 * 1000;

/**
 * The part of every response-cache key that is not the request target: the values of the headers
 * rules read, and a quarter-hour bucket when a rule reads the clock. Shared by the app's key and the
 * Node server's shortcut, so both vary on exactly the same things.
 */
export function contextKeyPart(
  headerNames: readonly string[],
  value: (name: string) => unknown,
  now: number,
): [values: unknown[], timeBucket: number | null] {
  const values = headerNames.map((name) => value(name) ?? null);
  return [values, timeBucket(headerNames, now)];
}

/** The quarter-hour bucket a key adds when a rule reads the clock (its headers include the time zone); else null. */
export function timeBucket(headerNames: readonly string[], now: number): number | null {
  return headerNames.includes(TIME_ZONE_HEADER) ? Math.floor(now / QUARTER_HOUR_MS) : null;
}

/**
 * @example
 * inferenceCacheKey('7', recommender, request, Date.now())
 * // → '["7","GET","recommend-items","retail","for-you","u1",null,[["numResults","5"]],["Mozilla/5.0"],null]'
 */
export function inferenceCacheKey(
  configVersion: string,
  recommender: ResolvedRecommender,
  request: InferenceRequest,
  now: number,
): string {
  const query: Array<[string, string]> = [];
  for (const name in request.query) {
    const value = request.query[name];
    if (value !== undefined) query.push([name, value]);
  }
  if (query.length > 1) query.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  // Every variation's headers: the variation is chosen after the cache lookup, so the key covers whichever serves.
  const [headerValues, bucket] = contextKeyPart(recommender.contextHeaders, request.headers, now);
  return JSON.stringify([
    configVersion,
    request.method,
    request.action,
    request.namespace,
    request.recommender,
    request.userId ?? request.itemId ?? null,
    request.itemList ?? null,
    query,
    headerValues,
    bucket,
  ]);
}
