// Bundles the `p13n` command with esbuild into dist/ (the package's `prepare` script, so `npm ci`
// builds it). Our TypeScript is bundled; packages stay external and load from node_modules, as the
// native `lmdb` and the Swagger UI assets must. Sub-commands stay separate chunks, loaded when run.
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
await rm(`${root}dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // The connectors' worker threads start from their own file beside the chunks (local-parts.ts finds it
  // at ./local-parts-worker.mjs); under tsx that file is connectors/local-parts-worker.mjs instead.
  entryPoints: { p13n: 'cli/p13n.ts', 'local-parts-worker': 'connectors/local-parts-worker.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
