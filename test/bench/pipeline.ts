/**
 * In-process overhead of the data plane per request: the whole Hono app (routing, query parsing,
 * variation, auto context, origin call, decoration of 25 items, serialisation, ETag, headers) with a
 * zero-latency origin and an in-memory metadata store, so what is measured is our code alone. Two
 * figures: a cache miss (a new user each request) and a cache hit. Prints one line.
 * Run with `npm run bench:pipeline`.
 */
import { performance } from 'node:perf_hooks';
import type { ItemMetadata } from '../../contracts/item-metadata/item.ts';
import type { OriginResolver } from '../../data-plane/origins/types.ts';
import { buildApp } from '../../data-plane/wiring.ts';
import { silentLogger } from '../../shared/logger.ts';
import { catalogueLine } from '../helpers/catalogue.ts';
import { deviceTypeFromUserAgent } from '../helpers/device-type-context.ts';
import { swappableConfig, unusedClients } from '../helpers/fake-origin.ts';

const WARM_UP = 3_000;
const ROUNDS = 20_000;

const catalogue = new Map<string, ItemMetadata>();
for (let n = 1; n <= 25; n++) {
  const { id, ...metadata } = JSON.parse(catalogueLine(n)) as { id: string } & ItemMetadata;
  catalogue.set(id, metadata);
}

/** Answers at once with the catalogue's items, remembering nothing. */
const itemIds = [...catalogue.keys()];
const zeroLatencyOrigin: OriginResolver = async (request) => ({
  items: itemIds.slice(0, request.numResults).map((itemId, i) => ({ itemId, score: 1 / (i + 1) })),
});

const config = {
  version: 'bench',
  cacheControl: { userSpecified: { maxAge: 300, directives: 'private' } },
  namespaces: {
    shop: {
      inferenceItemMetadata: { type: 'localdb' },
      autoContext: deviceTypeFromUserAgent,
      recommenders: {
        'recommend-items': {
          'for-you': {
            experiments: { ab: { method: 'hash', weights: { a: 50, b: 50 } } },
            variations: {
              a: { type: 'http', url: 'http://origin.test/a' },
              b: { type: 'http', url: 'http://origin.test/b' },
            },
          },
        },
      },
    },
  },
};

const app = buildApp({
  config: swappableConfig(config),
  clients: unusedClients(),
  resolvers: { http: zeroLatencyOrigin },
  itemMetadata: () => ({
    getMany: async (ids) => {
      const out = new Map<string, ItemMetadata>();
      for (const id of ids) {
        const metadata = catalogue.get(id);
        if (metadata) out.set(id, metadata);
      }
      return out;
    },
  }),
  logger: silentLogger,
});
const headers = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' };

async function measure(path: (i: number) => string): Promise<{ p50: number; p99: number; items: number }> {
  let items = 0;
  for (let i = 0; i < WARM_UP; i++) await (await app.request(path(i), { headers })).text();
  const times = new Float64Array(ROUNDS);
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    const res = await app.request(path(WARM_UP + i), { headers });
    const body = await res.text();
    times[i] = (performance.now() - start) * 1000;
    if (i === 0)
      items = (JSON.parse(body) as { itemList: Array<{ metadata?: unknown }> }).itemList.filter(
        (x) => x.metadata,
      ).length;
  }
  times.sort();
  const at = (p: number) => times[Math.min(ROUNDS - 1, Math.floor(p * ROUNDS))] as number;
  return { p50: at(0.5), p99: at(0.99), items };
}

const miss = await measure((i) => `/recommend-items/shop/for-you/user-${i}?numResults=25`);
const hit = await measure(() => '/recommend-items/shop/for-you/user-hot?numResults=25');
console.log(
  `pipeline (${miss.items} decorated items, zero-latency origin, ${ROUNDS} requests): ` +
    `miss p50 ${miss.p50.toFixed(0)} µs p99 ${miss.p99.toFixed(0)} µs · ` +
    `hit p50 ${hit.p50.toFixed(0)} µs p99 ${hit.p99.toFixed(0)} µs · target p99 < 1000 µs ${miss.p99 < 1000 ? 'met' : 'MISSED'}`,
);
