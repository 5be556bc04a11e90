/**
 * Benchmark of the embedded recommender on the committed sample data: training time, and p50/p99
 * latency of recommend (sample users and a user with 300 history items), related, rerank (50 items)
 * and online learning, and the time to learn 10k/20k/40k events each naming a new user and a new
 * item (linear when each popularity update is O(log n); it was quadratic). Prints one line. Run with `npm run bench:builtin`.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { Model, trainModel } from '../../data-plane/origins/builtin/model.ts';

const samples = new URL('../../samples/local/', import.meta.url).pathname;
const ROUNDS = 5_000;

function percentiles(samplesUs: number[]): string {
  const sorted = [...samplesUs].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
  return `p50 ${at(0.5).toFixed(1)} µs p99 ${at(0.99).toFixed(1)} µs`;
}

function measure(run: (i: number) => void): string {
  for (let i = 0; i < 500; i++) run(i);
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    run(i);
    times.push((performance.now() - start) * 1000);
  }
  return percentiles(times);
}

const itemIds = (await readFile(`${samples}items.jsonl`, 'utf8'))
  .trimEnd()
  .split('\n')
  .map((line) => (JSON.parse(line) as { id: string }).id);

const trainings: number[] = [];
let model = (await trainModel(`${samples}interactions.csv`)).model;
for (let i = 0; i < 3; i++) {
  const { model: m, report } = await trainModel(`${samples}interactions.csv`);
  trainings.push(report.durationMs);
  model = m;
}
const { report } = await trainModel(`${samples}interactions.csv`);
// Collect the discarded models now (the npm script passes --expose-gc) so they do not pollute the latencies.
(globalThis as { gc?: () => void }).gc?.();

// A heavy user: 300 distinct items across the catalogue.
model.learn(
  itemIds
    .filter((_, i) => i % 6 === 0)
    .slice(0, 300)
    .map((itemId) => ({ userId: 'heavy', itemId })),
);

const recommend = measure((i) => model.recommend(`user-${(i % 500) + 1}`, 25));
const heavy = measure(() => model.recommend('heavy', 25));
const related = measure((i) => model.related(itemIds[(i * 7) % itemIds.length] as string, 25));
const rerankList = itemIds.slice(0, 50);
const rerank = measure((i) => model.rerank(`user-${(i % 500) + 1}`, rerankList));
const learn = measure((i) =>
  model.learn([
    { userId: `user-${(i % 500) + 1}`, itemId: itemIds[(i * 13) % itemIds.length] as string, eventType: 'View' },
  ]),
);

const newItems = [10_000, 20_000, 40_000].map((n) => {
  const fresh = new Model({ learnNewItems: true });
  const start = performance.now();
  // Each event a new user and a new item, as a flood of made-up events would be (with learnNewItems on).
  for (let i = 0; i < n; i++) fresh.learn([{ userId: `u${i}`, itemId: `new-${i}` }]);
  return `${n / 1000}k ${(performance.now() - start).toFixed(0)} ms`;
});

console.log(
  `builtin model (${report.interactions} interactions, ${report.users} users, ${report.items} items): ` +
    `train ${Math.min(...trainings).toFixed(0)} ms | recommend ${recommend} | recommend 300-item history ${heavy} | ` +
    `related ${related} | rerank 50 ${rerank} | learn 1 event ${learn} | learn new items ${newItems.join(', ')}`,
);
