/**
 * Any HTTP recommender (variation type `http`). POST sends the version 1.0 payload as JSON; GET (the
 * default when the URL holds placeholders, as the old service did) sends none. Either way the URL's
 * placeholders are filled from the request.
 * HTTP 429 is throttling; a 4xx about the request (400, 404, 422, …) is the client's error (400); any
 * other non-2xx (5xx, 401/403), or a body that is not a recommendation list, is the origin's failure.
 * The answer is read up to `maxResponseBytes` (1 MiB by default); redirects are followed (at most 3) and
 * the variation's headers, which may hold credentials, go only to the configured URL's own origin.
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
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 3;

/** Reads a body as text, giving up (and cancelling the stream) once it exceeds `limit` bytes. */
async function readCapped(res: Response, limit: number, origin: string): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > limit) {
    await res.body?.cancel();
    throw new OriginFailedError(origin, `answer of ${declared} bytes exceeds maxResponseBytes ${limit}`);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) {
      await res.body.cancel().catch(() => {});
      throw new OriginFailedError(origin, `answer exceeds maxResponseBytes ${limit}`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
    let method = variation.method ?? 'POST';
    let url = fillUrlTemplate(variation.url, request);
    const home = new URL(url).origin;
    const origin = `HTTP recommender ${home}`;
    let body = method === 'POST' ? JSON.stringify(originPayload(request)) : undefined;
    let res: Response;
    for (let hop = 0; ; hop++) {
      const sameOrigin = new URL(url).origin === home;
      res = await fetchImpl(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(sameOrigin ? variation.headers : {}),
        },
        body,
        signal: request.signal,
        redirect: 'manual',
      });
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) break;
      await res.body?.cancel();
      if (hop === MAX_REDIRECTS) throw new OriginFailedError(origin, `more than ${MAX_REDIRECTS} redirects`);
      url = new URL(location, url).href;
      // 303, and 301/302 after a POST, turn into a GET without a body, as browsers and fetch do.
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
    }
    const text = await readCapped(res, variation.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, origin);
    if (res.status === 429) throw new OriginThrottledError(origin);
    if (isRequestFault(res.status)) throw new OriginRejectedRequestError({ cause: `${origin}: HTTP ${res.status}` });
    if (!res.ok) throw new OriginFailedError(origin, `HTTP ${res.status}`);
    return parseOriginResult(parseOriginJson(text, origin), origin);
  };
}
