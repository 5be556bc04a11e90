/**
 * Lambda cold-start proxy: bundles the data-plane handler (`data-plane/lambda.ts`) the way the deployment
 * does (infra/constructs/node-function.ts: esbuild, minified ESM, ES module builds of dependencies
 * preferred so unused AWS SDK commands are shaken out, `lmdb` left external for its native binary), then imports the bundle
 * in fresh Node processes and times module initialisation (median of N). Prints one line: bundle size,
 * init median and the targets. Run with `npm run bench:cold-start`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const MAX_BYTES = 1.5 * 1024 * 1024;
const MAX_INIT_MS = 150;

const dir = mkdtempSync(join(tmpdir(), 'p13n-cold-start-'));
try {
  const outfile = join(dir, 'index.mjs');
  await build({
    entryPoints: [join(ROOT, 'data-plane/lambda.ts')],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    mainFields: ['module', 'main'],
    external: ['lmdb'],
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
  });
  // The external lmdb resolves from the project's node_modules, as from a Lambda layer or the zip's.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const bytes = statSync(outfile).size;

  const probe = `const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now() - t);`;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
      env: { ...process.env, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`importing the bundle failed: ${run.stderr}`);
    times.push(Number(run.stdout.trim()));
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    `cold start (data-plane/lambda.ts bundled as deployed): bundle ${(bytes / 1024 / 1024).toFixed(2)} MB ` +
      `(target < 1.5 MB ${bytes < MAX_BYTES ? 'met' : 'MISSED'}) · module init median ${median.toFixed(0)} ms of ${RUNS} ` +
      `(min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)}; target < ${MAX_INIT_MS} ms ${median < MAX_INIT_MS ? 'met' : 'MISSED'})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
