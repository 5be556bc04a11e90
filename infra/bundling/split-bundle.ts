/**
 * An ES-module bundle with code splitting, for a function whose cold start matters (the data plane).
 * Modules reached only through `import()` — the X-Ray tracer, Evidently, the AWS clients a configuration
 * may not use, the SDK's rarely needed credential providers — go into chunks under `chunks/` that Node
 * reads, compiles and evaluates on first use, so the init phase pays only for what the entry imports
 * statically. External packages with a module in `on-first-call/` are not imported at init either: that
 * module takes their place and loads them when one of their functions is first called. NodejsFunction's
 * esbuild step always writes a single `--outfile` and cannot split, so this runs esbuild itself (locally,
 * no Docker) and NodejsFunction takes the result as its `code`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';

/** Where the chunks go inside the asset, beside `index.mjs`. */
export const CHUNKS_DIR = 'chunks';

export interface SplitBundleProps {
  /** The TypeScript file exporting the handler; the bundle's entry is `index.mjs`. */
  readonly entry: string;
  /** The folder holding package.json, node_modules and the lock file. */
  readonly projectRoot: string;
  /** esbuild `target`, e.g. `node24`. */
  readonly target: string;
  readonly mainFields: readonly string[];
  /** JavaScript put first in the entry and in every chunk. */
  readonly banner: string;
  /** Packages left out of the bundle (imported from the asset's node_modules at run time). */
  readonly external: readonly string[];
  /** Shell commands run after bundling, given the asset folder (as NodejsFunction's `afterBundling`). */
  readonly afterBundling?: (outputDir: string) => string[];
}

/**
 * External packages the bundle loads on the first call of one of their functions, with the module standing
 * in for each (it exports what the code imports; importing anything else fails the build).
 */
const LOADED_ON_FIRST_CALL: Readonly<Record<string, string>> = {
  lmdb: fileURLToPath(new URL('on-first-call/lmdb.ts', import.meta.url)),
};

/**
 * @example
 * new NodejsFunction(scope, 'Fn', { handler: 'index.handler', code: splitBundle({ entry, projectRoot,
 *   target: 'node24', mainFields: ['module', 'main'], banner, external: ['lmdb'] }) });
 */
export function splitBundle(props: SplitBundleProps): Code {
  return Code.fromAsset(props.projectRoot, {
    // Hashed by what was built, as NodejsFunction does: the project folder is not fingerprinted.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Only local bundling is supported; the image is never pulled.
      image: DockerImage.fromRegistry('dummy'),
      local: {
        tryBundle(outputDir) {
          buildSync({
            absWorkingDir: props.projectRoot,
            entryPoints: { index: props.entry },
            bundle: true,
            platform: 'node',
            format: 'esm',
            target: props.target,
            mainFields: [...props.mainFields],
            splitting: true,
            outdir: outputDir,
            outExtension: { '.js': '.mjs' },
            chunkNames: `${CHUNKS_DIR}/[name]-[hash]`,
            minify: true,
            sourcemap: true,
            sourcesContent: false,
            banner: { js: props.banner },
            external: [...props.external],
            alias: Object.fromEntries(
              Object.entries(LOADED_ON_FIRST_CALL).filter(([name]) => props.external.includes(name)),
            ),
            logLevel: 'warning',
          });
          for (const command of props.afterBundling?.(outputDir) ?? []) {
            // Output is captured (a failure's error carries it): a vitest worker thread cannot hand its stdout on.
            execFileSync('bash', ['-c', command], { cwd: props.projectRoot, stdio: 'pipe' });
          }
          return true;
        },
      },
    },
  });
}
