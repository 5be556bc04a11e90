/**
 * The in-process store of serialised responses: an LRU bounded both by entry count and by bytes, so a
 * flood of distinct users cannot grow the process. Entries stay for their max-age plus the
 * stale-if-error grace; whether one is still fresh is the caller's question (`freshUntil`). Time comes
 * from the injected clock, so tests move it by hand.
 */

import { LRUCache } from 'lru-cache';
import { COMPRESSED_SHARE } from '../compression.ts';
import type { ServedExposure } from '../experiments/exposures.ts';

export interface CachedResponse {
  /** Response headers as the pipeline wrote them (Cache-Control, ETag, Content-Type, …). */
  headers: Readonly<Record<string, string>>;
  /** The UTF-8 bytes of the body, encoded once when stored. */
  body: Uint8Array<ArrayBuffer>;
  /** Epoch milliseconds. */
  storedAt: number;
  freshUntil: number;
  /** Last moment the entry may still be served on an origin error. */
  staleUntil: number;
  /** The experiment exposure each serving of this response records. */
  exposure?: ServedExposure;
  /** Compressed copies of `body`, made when first asked for (compression.ts); room is reserved for them. */
  encoded?: { br?: Uint8Array; gzip?: Uint8Array };
}

export interface ResponseStoreOptions {
  maxEntries: number;
  maxBytes: number;
  /** How long after expiry an entry may still answer when the origin fails. */
  staleIfErrorSeconds: number;
  /** Epoch milliseconds. */
  clock: () => number;
}

const encoder = new TextEncoder();

/**
 * Bytes an entry may cost: the body, as much again for its compressed copies (each kept only when at
 * most half the body), key, header strings and bookkeeping, roughly.
 */
function entrySize(key: string, response: CachedResponse): number {
  let size = 64 + key.length * 2 + response.body.byteLength * (1 + 2 * COMPRESSED_SHARE);
  for (const name in response.headers) size += (name.length + (response.headers[name]?.length ?? 0)) * 2;
  return size;
}

/**
 * @example
 * const store = new ResponseStore({ maxEntries: 10_000, maxBytes: 32 << 20, staleIfErrorSeconds: 300, clock: Date.now });
 * store.set(key, { 'Cache-Control': 'max-age=60' }, '{"itemList":[]}', 60);
 * store.get(key)?.freshUntil;
 */
export class ResponseStore {
  readonly #lru: LRUCache<string, CachedResponse>;
  readonly #options: ResponseStoreOptions;

  constructor(options: ResponseStoreOptions) {
    this.#options = options;
    this.#lru = new LRUCache<string, CachedResponse>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (value, key) => entrySize(key, value),
      ttlAutopurge: false,
      ttlResolution: 0,
      perf: { now: options.clock },
    });
  }

  /** The entry under `key`, fresh or within its stale grace; undefined once the grace has passed. */
  get(key: string): CachedResponse | undefined {
    return this.#lru.get(key);
  }

  /** Stores a response for `maxAgeSeconds` (plus the stale grace); returns the entry, or undefined when too large to keep. */
  set(
    key: string,
    headers: Record<string, string>,
    body: string,
    maxAgeSeconds: number,
    exposure?: ServedExposure,
  ): CachedResponse | undefined {
    const now = this.#options.clock();
    const freshUntil = now + maxAgeSeconds * 1000;
    const staleUntil = freshUntil + this.#options.staleIfErrorSeconds * 1000;
    const entry: CachedResponse = {
      headers,
      body: encoder.encode(body),
      storedAt: now,
      freshUntil,
      staleUntil,
      ...(exposure ? { exposure } : {}),
    };
    this.#lru.set(key, entry, { ttl: staleUntil - now, start: now });
    return this.#lru.peek(key) === entry ? entry : undefined;
  }

  clear(): void {
    this.#lru.clear();
  }
}
