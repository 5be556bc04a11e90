/**
 * In-process overhead of the data plane per request: the whole Hono app (routing, query parsing,
 * variation, auto context, origin call, decoration of 25 items, serialisation, ETag, headers) with a
 * zero-latency origin and an in-memory metadata store, so what is measured is our code alone. Two
 * figures: a cache miss (a new user each request, so each leaves a cache entry) and a cache hit. Each
 * request is timed on the wall clock and by the process's CPU time: on a shared machine the wall clock
 * also counts the time other jobs held the CPU, CPU time only what the request cost. Garbage
 * collections during the measured requests are counted with their longest pause, so a p99 made of
 * GC shows as such. Prints one line. Run with `npm run bench:pipeline`.
 *
 * What is timed is `app.fetch(request)` until it returns the Response, whose body is then already
 * serialised; the instrument's own work is left out of the wall time: the Request objects are made
 * before the clock starts, the CPU clock (a getrusage call of several microseconds) is read outside the
 * wall clock's window, and only the first body is read, after the clock stops. The app runs with the
 * Request and Response classes `p13n serve` gives it (@hono/node-server's lightweight ones; a Fetch
 * Response alone costs more than a cache hit); writing the bytes to a socket is bench:http's business.
 */
import { loadavg } from 'node:os';
import { type PerformanceEntry, PerformanceObserver, performance } from 'node:perf_hooks';
import { getRequestListener } from '@hono/node-server';
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

interface Distribution {
  p50: number;
  p99: number;
}

interface Measured {
  wall: Distribution;
  cpu: Distribution;
  items: number;
  gc: { count: number; maxMs: number };
}

function distribution(samples: Float64Array): Distribution {
  samples.sort();
  const at = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] as number;
  return { p50: at(0.5), p99: at(0.99) };
}

// The globals p13n serve runs the app with (createNodeServer calls this too).
getRequestListener(app.fetch);
const request = (path: string) => new Request(`http://localhost${path}`, { headers });

async function measure(path: (i: number) => string): Promise<Measured> {
  let items = 0;
  for (let i = 0; i < WARM_UP; i++) await (await app.fetch(request(path(i)))).text();
  // Made a few hundred at a time: 20,000 live Requests would be copied by every scavenge.
  const BATCH = 250;
  let requests: Request[] = [];
  const gcs: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => gcs.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const wall = new Float64Array(ROUNDS);
  const cpu = new Float64Array(ROUNDS);
  for (let i = 0; i < ROUNDS; i++) {
    if (i % BATCH === 0) requests = Array.from({ length: BATCH }, (_, j) => request(path(WARM_UP + i + j)));
    const startCpu = process.cpuUsage();
    const start = performance.now();
    const res = await app.fetch(requests[i % BATCH]!);
    wall[i] = (performance.now() - start) * 1000;
    const usedCpu = process.cpuUsage(startCpu);
    cpu[i] = usedCpu.user + usedCpu.system;
    if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
    // Reading a body makes a Fetch Response and a stream (tens of kilobytes of garbage whose collections
    // would land in the timed requests), so only the first one is read.
    if (i === 0)
      items = ((await res.json()) as { itemList: Array<{ metadata?: unknown }> }).itemList.filter(
        (x) => x.metadata,
      ).length;
  }
  // GC entries are delivered to observers after the loop (which never yields to the event loop).
  await new Promise((resolve) => setTimeout(resolve, 100));
  observer.disconnect();
  const maxMs = gcs.reduce((max, entry) => Math.max(max, entry.duration), 0);
  return { wall: distribution(wall), cpu: distribution(cpu), items, gc: { count: gcs.length, maxMs } };
}

const show = (name: string, m: Measured) =>
  `${name} p50 ${m.wall.p50.toFixed(0)} µs p99 ${m.wall.p99.toFixed(0)} µs ` +
  `(CPU p50 ${m.cpu.p50.toFixed(0)} µs p99 ${m.cpu.p99.toFixed(0)} µs; ${m.gc.count} GCs, longest ${m.gc.maxMs.toFixed(1)} ms)`;

const miss = await measure((i) => `/recommend-items/shop/for-you/user-${i}?numResults=25`);
const hit = await measure(() => '/recommend-items/shop/for-you/user-hot?numResults=25');
const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
console.log(
  `pipeline (${miss.items} decorated items, zero-latency origin, ${ROUNDS} requests): ${show('miss', miss)} · ${show('hit', hit)} · ` +
    `targets miss p99 < 300 µs ${met(miss.wall.p99 < 300)}, hit p99 < 50 µs ${met(hit.wall.p99 < 50)} · ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
);
