/**
 * Any HTTP recommender (variation type `http`). POST (the default) sends the version 1.0 payload as JSON;
 * GET fills `{userId}`, `{itemId}`, `{itemIds}` and `{numResults}` in the URL, each value URL-encoded.
 * HTTP 429 is throttling; any other non-2xx, or a body that is not a recommendation list, is a failure.
 */
import { OriginFailedError, OriginThrottledError } from '../errors.ts';
import { originPayload, parseOriginJson, parseOriginResult } from './payload.ts';
import type { OriginRequest, OriginResolver } from './types.ts';

/**
 * @example
 * fillUrlTemplate('http://recs/users/{userId}?n={numResults}', { userId: 'a b', numResults: 5 })
 * // → 'http://recs/users/a%20b?n=5'
 */
export function fillUrlTemplate(
  template: string,
  values: { userId?: string; itemId?: string; itemList?: string[]; numResults: number },
): string {
  const e = encodeURIComponent;
  return template
    .replaceAll('{userId}', e(values.userId ?? ''))
    .replaceAll('{itemId}', e(values.itemId ?? ''))
    .replaceAll('{itemIds}', (values.itemList ?? []).map(e).join(','))
    .replaceAll('{numResults}', String(values.numResults));
}

/**
 * @example
 * resolvers.http = httpResolver();
 */
export function httpResolver(fetchImpl: typeof fetch = fetch): OriginResolver {
  return async (request: OriginRequest) => {
    const { variation } = request;
    if (variation.type !== 'http') {
      throw new OriginFailedError(`variation ${variation.key}`, `not an http variation (${variation.type})`);
    }
    const method = variation.method ?? 'POST';
    const url = method === 'GET' ? fillUrlTemplate(variation.url, request) : variation.url;
    const origin = `HTTP recommender ${new URL(url).origin}`;
    const res = await fetchImpl(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        ...variation.headers,
      },
      body: method === 'POST' ? JSON.stringify(originPayload(request)) : undefined,
      signal: request.signal,
      redirect: 'follow',
    });
    const text = await res.text();
    if (res.status === 429) throw new OriginThrottledError(origin);
    if (!res.ok) throw new OriginFailedError(origin, `HTTP ${res.status}`);
    return parseOriginResult(parseOriginJson(text, origin), origin);
  };
}
