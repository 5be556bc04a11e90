/**
 * The Node server's shortcut for cache hits: a second index over the response cache, keyed by the raw
 * request target exactly as received plus what `contextKeyPart` adds to every cache key (header values
 * and time bucket, spelt its own way, see `#key`), so a repeated GET is answered straight from the
 * stored bytes without building a Request, routing or running middleware — the Hono path costs
 * several times what writing the bytes does. Entries come through the app's `onResponseCached` hook
 * when it serves or stores a cacheable response (so everything the full path checks has been checked
 * once for that exact request) and answer only while fresh; anything else — another method,
 * `If-None-Match`, a miss, an expired entry, a new configuration, a response an experiment chose (its
 * exposures are recorded by the app) — falls through to the app. Not used with authentication, which
 * must see every request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { LRUCache } from 'lru-cache';
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import type { CachedResponseInfo } from '../app.ts';
import { timeBucket } from '../cache/cache-key.ts';
import { DEFAULT_CACHE_MAX_BYTES, DEFAULT_CACHE_MAX_ENTRIES } from '../cache/cached-inference.ts';
import type { CachedResponse } from '../cache/response-store.ts';
import { type Encoding, encodedBody, preferredEncoding, withEncoding } from '../compression.ts';
import type { ConfigProvider } from '../config/types.ts';
import { type Metrics, noMetrics } from '../metrics.ts';

/**
 * Headers as written by the full path, flat (`[name, value, …]`), built once per encoding; the last
 * value is `Age`, updated in place (as text, at most once a second) so a hit allocates nothing.
 */
type FlatHeaders = string[];

interface RawHit {
  entry: CachedResponse;
  /** The entry's plain body as a Buffer over the same bytes (a Uint8Array is wrapped in one per write). */
  body: Buffer;
  /** Everything but `Content-Encoding` and `Content-Length`. */
  headers: Record<string, string>;
  /** The target without its query, for `onResponse`. */
  path: string;
  /** The `Age` last written, in seconds. */
  age: number;
  plain: FlatHeaders;
  br?: FlatHeaders;
  gzip?: FlatHeaders;
}

function flatHeaders(
  headers: Record<string, string>,
  encoding: Encoding | undefined,
  length: number,
  age: number,
): FlatHeaders {
  return [
    ...Object.entries(withEncoding(headers, encoding)).flat(),
    'Content-Length',
    String(length),
    'Age',
    String(age),
  ];
}

export interface NodeCacheShortcutOptions {
  config: ConfigProvider;
  /** Most targets remembered (default 10 000). */
  maxEntries?: number;
  /** Most body bytes referenced (default 32 MiB). */
  maxBytes?: number;
  /** Epoch milliseconds; the same clock as the app's. */
  clock?: () => number;
  metrics?: Metrics;
  /** Called after every shortcut answer, like the app's `onResponse`. */
  onResponse?: (info: { method: string; path: string; status: number; durationMs: number }) => void;
}

/** The raw request of an app request when it came through the Node server; undefined elsewhere. */
function incomingOf(env: unknown): IncomingMessage | undefined {
  const incoming = (env as { incoming?: unknown } | undefined)?.incoming;
  return incoming && typeof (incoming as IncomingMessage).url === 'string' ? (incoming as IncomingMessage) : undefined;
}

/**
 * @example
 * const shortcut = new NodeCacheShortcut({ config });
 * const app = buildApp({ ...deps, onResponseCached: shortcut.remember });
 * createNodeServer(app.fetch, { shortcut }).listen(8080);
 */
export class NodeCacheShortcut {
  readonly #lru: LRUCache<string, RawHit>;
  readonly #options: NodeCacheShortcutOptions;
  readonly #clock: () => number;
  readonly #metrics: Metrics;
  #config: ResolvedConfig | undefined;

  constructor(options: NodeCacheShortcutOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.#metrics = options.metrics ?? noMetrics;
    this.#lru = new LRUCache({
      max: options.maxEntries ?? DEFAULT_CACHE_MAX_ENTRIES,
      maxSize: options.maxBytes ?? DEFAULT_CACHE_MAX_BYTES,
      sizeCalculation: (hit) => hit.entry.body.byteLength + 1,
    });
  }

  /**
   * The target alone when no header a rule reads was sent and no rule reads the clock (the usual
   * case), else the target plus, per header name, `\n` and its values (each after a `\r`, duplicates
   * included, as the app sees them), then `\n` and the time bucket. No target holds `\n` and no header
   * value `\r` or `\n`, so distinct requests get distinct keys. Read from `rawHeaders` in place:
   * `headersDistinct` and `JSON.stringify` took a tenth of a hit's time.
   */
  #key(incoming: IncomingMessage, config: ResolvedConfig, now: number): string {
    const url = incoming.url ?? '';
    const names = config.contextHeaders;
    if (names.length === 0) return url;
    const raw = incoming.rawHeaders;
    let suffix = '';
    let sent = false;
    for (const name of names) {
      suffix += '\n';
      for (let i = 0; i < raw.length; i += 2) {
        const header = raw[i]!;
        if (header.length === name.length && header.toLowerCase() === name) {
          suffix += `\r${raw[i + 1]}`;
          sent = true;
        }
      }
    }
    const bucket = timeBucket(names, now);
    if (bucket !== null) return `${url}${suffix}\n${bucket}`;
    return sent ? url + suffix : url;
  }

  /**
   * The app's `onResponseCached` hook: remembers that this exact GET request is answered by the entry
   * (with `headers` added) while it is fresh; `keyedAt` is the clock reading the cache keyed it with.
   * Requests that did not come through the Node server are ignored.
   */
  readonly remember = ({ env, config, cached, headers }: CachedResponseInfo): void => {
    const incoming = incomingOf(env);
    if (!incoming) return;
    const { entry, keyedAt } = cached;
    if (incoming.method !== 'GET' || incoming.headers['if-none-match'] !== undefined || config !== this.#config) {
      return;
    }
    // Experiment responses take the app's path, which records an exposure each time they are served.
    if (entry.exposure) return;
    const all = Object.assign({}, entry.headers, headers, { 'X-Cache': 'hit' });
    const url = incoming.url ?? '';
    const query = url.indexOf('?');
    this.#lru.set(this.#key(incoming, config, keyedAt), {
      entry,
      body: Buffer.from(entry.body.buffer, entry.body.byteOffset, entry.body.byteLength),
      headers: all,
      path: query === -1 ? url : url.slice(0, query),
      age: 0,
      plain: flatHeaders(all, undefined, entry.body.byteLength, 0),
    });
  };

  /** Answers the request from a fresh remembered entry; false when the app must answer it. */
  serve(incoming: IncomingMessage, outgoing: ServerResponse): boolean {
    // Node has built `headers` already (it reads `Expect`), so these are plain property reads.
    if (incoming.method !== 'GET' || incoming.headers['if-none-match'] !== undefined) return false;
    const started = performance.now();
    let config: ResolvedConfig;
    try {
      config = this.#options.config.current();
    } catch {
      return false;
    }
    if (config !== this.#config) {
      this.#lru.clear();
      this.#config = config;
      return false;
    }
    const now = this.#clock();
    const hit = this.#lru.get(this.#key(incoming, config, now));
    if (!hit || now >= hit.entry.freshUntil) return false;
    const { entry } = hit;
    const wanted = preferredEncoding(incoming.headers['accept-encoding']);
    const { body, encoding } = wanted
      ? encodedBody(entry.body, wanted, entry)
      : { body: hit.body, encoding: undefined };
    let headers = hit.plain;
    if (encoding) {
      hit[encoding] ??= flatHeaders(hit.headers, encoding, body.byteLength, hit.age);
      headers = hit[encoding];
    }
    const age = Math.max(0, Math.floor((now - entry.storedAt) / 1000));
    if (age !== hit.age) {
      hit.age = age;
      for (const flat of [hit.plain, hit.br, hit.gzip]) if (flat) flat[flat.length - 1] = String(age);
    }
    outgoing.writeHead(200, headers);
    outgoing.end(body);
    this.#metrics.add('CacheHit', 'Count', 1);
    this.#metrics.add('Response', 'Count', 1);
    this.#options.onResponse?.({
      method: 'GET',
      path: hit.path,
      status: 200,
      durationMs: performance.now() - started,
    });
    return true;
  }
}
