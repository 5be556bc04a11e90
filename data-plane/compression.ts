/**
 * Response compression for inference responses: brotli or gzip when the client's `Accept-Encoding`
 * allows it, where nothing in front of us compresses — the Node server, and Lambda behind an HTTP API
 * or an ALB (a REST API returns base64 bodies as text unless binary media types are configured, and
 * CloudFront compresses itself). A cached response keeps its compressed bytes beside the plain ones, so
 * a hit never compresses twice; the entry reserved room for them when it was stored (response-store.ts).
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { BoundedMemo } from './bounded-memo.ts';
import type { CachedResponse } from './cache/response-store.ts';

export type Encoding = 'br' | 'gzip';

/** Smaller bodies gain less than the header and CPU cost. */
export const MIN_COMPRESSED_BYTES = 512;

/** A compressed copy is kept only if it fits in this share of the plain body (the entry's reservation). */
export const COMPRESSED_SHARE = 0.5;

/**
 * The encoding to answer with: brotli, else gzip, unless the client gives it `q=0`; `*` allows both.
 *
 * @example
 * preferredEncoding('gzip, deflate, br'); // 'br'
 */
export function preferredEncoding(acceptEncoding: string | undefined): Encoding | undefined {
  if (!acceptEncoding) return undefined;
  // Clients send a handful of distinct values; parsing each request's would cost a cache hit's time.
  return chosen.get(acceptEncoding, parseAcceptEncoding);
}

const chosen = new BoundedMemo<string, Encoding | undefined>(256);

function parseAcceptEncoding(acceptEncoding: string): Encoding | undefined {
  const allowed = new Map<string, boolean>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [token = '', ...params] = part.split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    allowed.set(token, q === undefined || Number(q.slice(2)) > 0);
  }
  for (const encoding of ['br', 'gzip'] as const) {
    if (allowed.get(encoding) ?? allowed.get('*')) return encoding;
  }
  return undefined;
}

/**
 * Bytes compressed once for a cache entry get more effort (brotli quality 5 compresses 10 KB of JSON
 * about as well as gzip -9, in a fraction of the time); a response compressed for one request only
 * gets the fastest settings (brotli quality 1 is several times faster, about 15% larger).
 */
export function compress(body: Uint8Array, encoding: Encoding, once = false): Buffer {
  return encoding === 'br'
    ? brotliCompressSync(body, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: once ? 5 : 1,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
        },
      })
    : gzipSync(body, { level: once ? 6 : 1 });
}

/**
 * The body to send for `encoding`, and the encoding actually used (none for small bodies). A cached
 * entry's compressed bytes are made once and kept on the entry.
 */
export function encodedBody(
  body: Uint8Array,
  encoding: Encoding | undefined,
  entry?: CachedResponse,
): { body: Uint8Array; encoding?: Encoding } {
  if (!encoding || body.byteLength < MIN_COMPRESSED_BYTES) return { body };
  const kept = entry?.encoded?.[encoding];
  if (kept) return { body: kept, encoding };
  const compressed = compress(body, encoding, entry !== undefined);
  if (entry && compressed.byteLength <= body.byteLength * COMPRESSED_SHARE) {
    entry.encoded = { ...entry.encoded, [encoding]: compressed };
  }
  return { body: compressed, encoding };
}

/** Response headers for a body sent with `encoding`: every compressible response varies on Accept-Encoding. */
export function withEncoding(headers: Record<string, string>, encoding: Encoding | undefined): Record<string, string> {
  const vary = headers.Vary ? `${headers.Vary}, Accept-Encoding` : 'Accept-Encoding';
  return Object.assign({}, headers, encoding ? { Vary: vary, 'Content-Encoding': encoding } : { Vary: vary });
}

/**
 * Whether the runtime behind the app passes compressed bodies through to the client: the Node server
 * (its bindings hold the incoming request), an HTTP API (payload 2.0) or an ALB event. Not a REST API
 * event, nor `app.request()` in tests.
 */
export function runtimeDeliversCompressed(env: unknown): boolean {
  const bindings = env as { incoming?: unknown; event?: { requestContext?: { http?: unknown; elb?: unknown } } };
  if (!bindings) return false;
  if (bindings.incoming) return true;
  const context = bindings.event?.requestContext;
  return Boolean(context && (context.http || context.elb));
}
