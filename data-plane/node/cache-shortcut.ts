/**
 * The Node server's shortcut for cache hits: a second index over the response cache, keyed by the raw
 * request target exactly as received (plus what `contextKeyPart` adds to every cache key), so a
 * repeated GET is answered straight from the stored bytes without building a Request, routing or
 * running middleware — the Hono path costs several times what writing the bytes does. Entries come
 * through the app's `onResponseCached` hook when it serves or stores a cacheable response (so
 * everything the full path checks has been checked once for that exact request) and answer only while fresh;
 * anything else — another method, `If-None-Match`, a miss, an expired entry, a new configuration, a
 * response an experiment chose (its exposures are recorded by the app) — falls through to the app.
 * Not used with authentication, which must see every request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import type { CachedResponseInfo } from '../app.ts';
import { contextKeyPart } from '../cache/cache-key.ts';
import { DEFAULT_CACHE_MAX_BYTES, DEFAULT_CACHE_MAX_ENTRIES } from '../cache/cached-inference.ts';
import type { CachedResponse } from '../cache/response-store.ts';
import type { ConfigProvider } from '../config/types.ts';
import { type Metrics, noMetrics } from '../metrics.ts';

interface RawHit {
  entry: CachedResponse;
  /** Everything but `Age`, as written by the full path. */
  headers: Record<string, string | number>;
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

  /** Every value of every header a rule reads (duplicates included, as the app sees them). */
  #key(url: string, headers: IncomingMessage['headersDistinct'], config: ResolvedConfig, now: number): string {
    const names = config.contextHeaders;
    if (names.length === 0) return url;
    return JSON.stringify([url, ...contextKeyPart(names, (name) => headers[name], now)]);
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
    const key = this.#key(incoming.url ?? '', incoming.headersDistinct, config, keyedAt);
    this.#lru.set(key, {
      entry,
      headers: { ...entry.headers, ...headers, 'X-Cache': 'hit', 'Content-Length': entry.body.byteLength },
    });
  };

  /** Answers the request from a fresh remembered entry; false when the app must answer it. */
  serve(incoming: IncomingMessage, outgoing: ServerResponse): boolean {
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
    const url = incoming.url ?? '';
    const hit = this.#lru.get(this.#key(url, incoming.headersDistinct, config, now));
    if (!hit || now >= hit.entry.freshUntil) return false;
    outgoing.writeHead(200, { ...hit.headers, Age: Math.max(0, Math.floor((now - hit.entry.storedAt) / 1000)) });
    outgoing.end(hit.entry.body);
    this.#metrics.add('CacheHit', 'Count', 1);
    this.#metrics.add('Response', 'Count', 1);
    const query = url.indexOf('?');
    this.#options.onResponse?.({
      method: 'GET',
      path: query === -1 ? url : url.slice(0, query),
      status: 200,
      durationMs: performance.now() - started,
    });
    return true;
  }
}
