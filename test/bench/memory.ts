/**
 * Memory under a flood of distinct users: the real data plane (embedded default: builtin recommender,
 * LMDB item metadata, an A/B experiment recording an exposure per response) in process, its user
 * responses made cacheable so every user leaves a cache entry, driven through one million distinct
 * users (BENCH_USERS). RSS must stay under a fixed base (the process after preparing and a warm-up)
 * plus the response cache's configured budget (P13N_RESPONSE_CACHE_MB, 32 MB here). Both sides are
 * read right after a full GC: what the process keeps. RSS between collections is printed too, as V8's
 * headroom (garbage it has not collected yet) comes on top of any base. Prints one line.
 * Run with `npm run bench:memory`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileConfigProvider } from '../../data-plane/config/file-provider.ts';
import { readDataPlaneEnv } from '../../data-plane/env.ts';
import { wireDataPlane } from '../../data-plane/wiring.ts';
import { silentLogger } from '../../shared/logger.ts';
import { embeddedDefaultConfig } from '../helpers/serve-process.ts';

const USERS = Number(process.env.BENCH_USERS ?? 1_000_000);
const CACHE_MB = 32;
const WARM_UP = 20_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:memory)');

const mb = (bytes: number) => bytes / 1024 / 1024;
const dir = mkdtempSync(join(tmpdir(), 'p13n-bench-memory-'));
try {
  const file = embeddedDefaultConfig(dir);
  const config = JSON.parse(readFileSync(file, 'utf8'));
  // Every user's answer is kept, the worst case for the cache.
  config.cacheControl.userSpecified = { maxAge: 3600, directives: 'private' };
  writeFileSync(file, JSON.stringify(config));
  const provider = createFileConfigProvider({ file, logger: silentLogger });
  const env = readDataPlaneEnv({ P13N_DATA_DIR: join(dir, 'data'), P13N_RESPONSE_CACHE_MB: String(CACHE_MB) });
  const dataPlane = wireDataPlane({ env, config: provider, logger: silentLogger });
  await dataPlane.start();
  const ask = async (n: number) => {
    const res = await dataPlane.app.request(`/recommend-items/retail/for-you/visitor-${n}?numResults=10`);
    if (res.status !== 200) throw new Error(`visitor-${n}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };

  for (let n = 1; n <= WARM_UP; n++) {
    await ask(-n);
    if (n % 50 === 0) await new Promise(setImmediate);
  }
  gc();
  const base = process.memoryUsage().rss;
  /** RSS right after a full GC, every 100,000 users: what the process keeps. */
  let peak = base;
  /** RSS every 10,000 users as it is, garbage V8 has not collected yet included. */
  let peakWithGarbage = base;
  const started = performance.now();
  for (let n = 1; n <= USERS; n++) {
    await ask(n);
    // A server turns the event loop between requests; a loop of awaited in-memory requests never would,
    // and the exposures' file writes would queue up unwritten.
    if (n % 50 === 0) await new Promise(setImmediate);
    if (n % 10_000 === 0) {
      peakWithGarbage = Math.max(peakWithGarbage, process.memoryUsage().rss);
      if (n % 100_000 === 0) {
        gc();
        const kept = process.memoryUsage().rss;
        peak = Math.max(peak, kept);
        process.stderr.write(`memory: ${n} users, RSS ${mb(kept).toFixed(0)} MB after GC\n`);
      }
    }
  }
  const seconds = (performance.now() - started) / 1000;
  gc();
  const end = process.memoryUsage().rss;
  await Promise.all([dataPlane.close(), provider.stop()]);
  const bound = base + CACHE_MB * 1024 * 1024;
  console.log(
    `memory (${USERS.toLocaleString('en')} distinct users in ${seconds.toFixed(0)} s, response cache ${CACHE_MB} MB): ` +
      `base RSS ${mb(base).toFixed(0)} MB (after preparing and ${WARM_UP.toLocaleString('en')} warm-up users) · ` +
      `peak after GC ${mb(peak).toFixed(0)} MB · peak with uncollected garbage ${mb(peakWithGarbage).toFixed(0)} MB (V8's headroom: ${mb(peakWithGarbage - peak).toFixed(0)} MB above the peak after GC) · end ${mb(end).toFixed(0)} MB · ` +
      `target peak after GC < base + ${CACHE_MB} MB = ${mb(bound).toFixed(0)} MB ${peak < bound ? 'met' : 'MISSED'}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
