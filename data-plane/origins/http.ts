/**
 * Any HTTP recommender (variation type `http`). POST sends the version 1.0 payload as JSON; GET (the
 * default when the URL holds placeholders, as the old service did) sends none. Either way the URL's
 * placeholders are filled from the request.
 * HTTP 429 is throttling; a 4xx about the request (400, 404, 422, …) is the client's error (400); any
 * other non-2xx (5xx, 401/403), or a body that is not a recommendation list, is the origin's failure.
 */
import { URL_PLACEHOLDERS, type UrlPlaceholder } from '../../schema/config-schema.ts';
import { OriginFailedError, OriginRejectedRequestError, OriginThrottledError } from '../errors.ts';
import { isRequestFault } from './origin-error.ts';
import { originPayload, parseOriginJson, parseOriginResult } from './payload.ts';
import type { OriginRequest, OriginResolver } from './types.ts';

/**
 * Fills every `{placeholder}` of the URL, each value URL-encoded: the request's user, item(s) and
 * result count, and the inference query parameters as the client sent them (empty when absent).
 *
 * @example
 * fillUrlTemplate('http://recs/users/{userId}?n={numResults}&f={filter}', { userId: 'a b', numResults: 5, query: {} })
 * // → 'http://recs/users/a%20b?n=5&f='
 */
export function fillUrlTemplate(
  template: string,
  values: Pick<OriginRequest, 'userId' | 'itemId' | 'itemList' | 'numResults' | 'query'>,
): string {
  const e = encodeURIComponent;
  const value = (name: UrlPlaceholder): string => {
    switch (name) {
      case 'userId':
        return e(values.userId ?? '');
      case 'itemId':
        return e(values.itemId ?? '');
      case 'itemIds':
        return (values.itemList ?? []).map(e).join(',');
      case 'numResults':
        return String(values.numResults);
      default:
        return e(values.query?.[name] ?? '');
    }
  };
  return template.replace(/\{([^{}]*)\}/g, (whole, name: string) =>
    (URL_PLACEHOLDERS as readonly string[]).includes(name) ? value(name as UrlPlaceholder) : whole,
  );
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
    const url = fillUrlTemplate(variation.url, request);
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
    if (isRequestFault(res.status)) throw new OriginRejectedRequestError({ cause: `${origin}: HTTP ${res.status}` });
    if (!res.ok) throw new OriginFailedError(origin, `HTTP ${res.status}`);
    return parseOriginResult(parseOriginJson(text, origin), origin);
  };
}
