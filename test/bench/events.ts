/**
 * Benchmark of events and experiments, in-process (no network): the cost of one hash-experiment
 * assignment, and POST /events/{namespace} through the app (validation, auto-context, a `file` target
 * appending JSON lines) with 1 and with 10 events per request, 50 requests in flight. Prints one line.
 * Run with `npm run bench:events`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { staticConfigProvider } from '../../data-plane/config/static-provider.ts';
import { assignByHash } from '../../data-plane/experiments/hash-bucketing.ts';
import { buildApp } from '../../data-plane/wiring.ts';
import { createAwsClients } from '../../shared/aws-clients.ts';
import { silentLogger } from '../../shared/logger.ts';
import { deviceTypeFromUserAgent } from '../helpers/device-type-context.ts';

const ASSIGNMENTS = 200_000;
const REQUESTS = 5_000;
const IN_FLIGHT = 50;

const experiment = { weights: { a: 50, b: 30, c: 20 } };
const keys = ['a', 'b', 'c'];
for (let i = 0; i < 10_000; i++) assignByHash('home', experiment, keys, `warm-${i}`);
let started = performance.now();
for (let i = 0; i < ASSIGNMENTS; i++) assignByHash('home', experiment, keys, `user-${i}`);
const assignUs = ((performance.now() - started) * 1000) / ASSIGNMENTS;

const dir = await mkdtemp(join(tmpdir(), 'p13n-bench-events-'));
const provider = staticConfigProvider({
  version: 'bench',
  namespaces: {
    shop: {
      autoContext: deviceTypeFromUserAgent,
      eventTargets: [{ type: 'file', path: join(dir, 'events.jsonl') }],
    },
  },
});
await provider.start();
const app = buildApp({ config: provider, clients: createAwsClients(), logger: silentLogger });

async function requestsPerSecond(eventsPerRequest: number): Promise<number> {
  const body = JSON.stringify({
    userId: 'user-1',
    eventList: Array.from({ length: eventsPerRequest }, (_, i) => ({
      eventType: 'View',
      itemId: `item-${i}`,
      properties: '{"page":"home"}',
    })),
  });
  const post = async () => {
    const res = await app.request('/events/shop', { method: 'POST', body, headers: { 'user-agent': 'iPhone' } });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
  };
  let next = 0;
  const worker = async () => {
    while (next++ < REQUESTS) await post();
  };
  for (let i = 0; i < 200; i++) await post();
  started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return REQUESTS / ((performance.now() - started) / 1000);
}

const one = await requestsPerSecond(1);
const ten = await requestsPerSecond(10);
await rm(dir, { recursive: true, force: true });
console.log(
  `hash assignment ${assignUs.toFixed(2)} µs · POST /events (file target, ${IN_FLIGHT} in flight) ` +
    `${Math.round(one)} req/s with 1 event, ${Math.round(ten)} req/s with 10 events`,
);
