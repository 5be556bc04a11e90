/**
 * Benchmark: users per second through the local connectors pipeline (attribute, decorate from the
 * job's catalogue, delta against the sync state, write the Braze output, commit the state) for a
 * user-personalization job of N users × 25 items, and peak memory. Each size runs in a fresh child
 * process, twice: the first run sends everyone, the second (identical input) reads every user's state
 * and sends nobody. If the pipeline streams, peak anonymous memory stays flat while N grows (LMDB's
 * memory-mapped pages are reported apart: the kernel can drop them at any time).
 *
 *   npm run bench:connectors                  # 250,000, 500,000 and 1,000,000 users, one thread per CPU
 *   npm run bench:connectors -- 100000,2000000 1   # other sizes, one thread
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLocalJob } from '../../connectors/run-local.ts';
import { rssParts } from './rss.ts';

const ITEMS = 10_000;
const PER_USER = 25;
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** A job folder: config, a 10,000-item catalogue and the batch output of `users` users. */
async function writeJob(root: string, users: number): Promise<string> {
  const dir = join(root, 'etl_jobs', 'user_personalization', `bench-${users}`);
  mkdirSync(join(dir, 'input', 'item_metadata'), { recursive: true });
  mkdirSync(join(dir, 'batch'), { recursive: true });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      batchInferencePath: 'batch/',
      connectors: { braze: { itemMetadataFields: ['id', 'name', 'price'], attributePrefix: 'recs_' } },
    }),
  );
  const items: string[] = [];
  for (let i = 0; i < ITEMS; i++) {
    items.push(
      JSON.stringify({ id: `item-${i}`, name: `Item number ${i}`, price: (i % 500) + 0.99, category: `c${i % 20}` }),
    );
  }
  writeFileSync(join(dir, 'input', 'item_metadata', 'items.json'), `${items.join('\n')}\n`);
  // Four part files, as a batch job over four input files would write.
  const parts = 4;
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let p = 0; p < parts; p++) {
    const out = createWriteStream(join(dir, 'batch', `users-${p}.json.out`));
    let chunk = '';
    for (let u = p; u < users; u += parts) {
      const recs: string[] = [];
      for (let k = 0; k < PER_USER; k++) recs.push(`"item-${Math.floor(random() ** 2 * ITEMS)}"`);
      chunk += `{"input":{"userId":"user-${u}"},"output":{"recommendedItems":[${recs.join(',')}]}}\n`;
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    out.end(chunk);
    await once(out, 'finish');
  }
  return dir;
}

async function child(dir: string, workers: number): Promise<void> {
  const peak = { anon: 0, file: 0 };
  const sample = () => {
    const now = rssParts();
    peak.anon = Math.max(peak.anon, now.anon);
    peak.file = Math.max(peak.file, now.file);
  };
  const timer = setInterval(sample, 50);
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const report = await runLocalJob({ jobDir: dir, workers, now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, i)) });
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    sample();
    runs.push({
      users: report.stats.users,
      sent: report.stats.sent.braze ?? 0,
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
    });
  }
  clearInterval(timer);
  process.stdout.write(
    JSON.stringify({
      runs,
      peakAnonMb: mb(peak.anon),
      peakFileMb: mb(peak.file),
      maxRssMb: mb(process.resourceUsage().maxRSS * 1024),
    }),
  );
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '250000,500000,1000000').split(',').map(Number);
  const workers = Number(process.argv[3] ?? availableParallelism());
  const root = mkdtempSync(join(tmpdir(), 'p13n-bench-connectors-'));
  const self = fileURLToPath(import.meta.url);
  console.log(
    `connectors pipeline: user_personalization, ${PER_USER} items per user, ${ITEMS} catalogue items, Braze fields ` +
      `id,name,price, 4 part files, ${workers} worker thread(s); load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} CPUs`,
  );
  console.log(
    'users      | run 1 (all sent): wall rate (rate per CPU second) | run 2 (delta, none sent)              | peak anon RSS | peak file RSS (LMDB map)',
  );
  try {
    for (const users of sizes) {
      const dir = await writeJob(root, users);
      const result = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', dir, String(workers)], {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      if (result.status !== 0) throw new Error(`child failed: ${result.stderr}`);
      const figures = JSON.parse(result.stdout) as {
        runs: Array<{ users: number; sent: number; seconds: number; cpuSeconds: number }>;
        peakAnonMb: number;
        peakFileMb: number;
      };
      const [first, second] = figures.runs as [(typeof figures.runs)[0], (typeof figures.runs)[0]];
      const rate = (r: typeof first) =>
        `${Math.round(r.users / r.seconds).toLocaleString('en')} users/s (${Math.round(r.users / r.cpuSeconds).toLocaleString('en')}/CPU-s)`.padEnd(
          34,
        );
      console.log(
        `${users.toLocaleString('en').padEnd(10)} | ${rate(first)} ${first.seconds.toFixed(1).padStart(4)}s | ${rate(second)} ${second.seconds.toFixed(1).padStart(4)}s (${second.sent} sent) | ${String(figures.peakAnonMb).padStart(6)} MB     | ${figures.peakFileMb} MB`,
      );
      if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    if (!process.env.KEEP) rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3] as string, Number(process.argv[4]));
else await main();
