/**
 * The data-plane Lambda asset exactly as the CDK app builds it: a stack holding the real
 * `DataPlaneFunction` construct is synthesised (NodejsFunction runs esbuild with the construct's own
 * options and copies lmdb's native closure), and the function's asset folder, handler, environment,
 * timeout and memory are read back from the synthesised template. Nothing here repeats a bundling option.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { DataPlaneFunction } from '../../infra/constructs/data-plane-function.ts';

export interface DataPlaneAsset {
  /** The unzipped asset: `index.mjs`, the chunks it imports, source maps and `node_modules/` with lmdb. */
  dir: string;
  /** `file.export`, as in the function's `Handler` property (`index.handler`). */
  handler: string;
  /** The function's environment variables whose values are plain strings at synth time. */
  environment: Record<string, string>;
  /** Variables whose values are CloudFormation tokens (bucket names…): the runtime must supply them. */
  unresolved: string[];
  timeoutSeconds: number;
  memorySize: number;
  /** The function's `Runtime` (e.g. `nodejs22.x`). */
  runtime: string;
}

/** The AppConfig IDs the synthesised function is configured with; a local agent serves them. */
export const ASSET_APPCONFIG = { application: 'app1234', environment: 'env1234', profile: 'prof123' } as const;

/**
 * Synthesises the data-plane function and returns its asset (about 2–5 s: esbuild plus the lmdb copy).
 *
 * @example
 * const asset = synthDataPlaneAsset();
 * readFileSync(join(asset.dir, 'index.mjs'));
 */
export function synthDataPlaneAsset(): DataPlaneAsset {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'p13n-bundle-')),
    context: { 'aws:cdk:enable-asset-metadata': true },
  });
  const stack = new Stack(app, 'Bundle', { env: { account: '123456789012', region: 'us-east-1' } });
  const dataPlane = new DataPlaneFunction(stack, 'DataPlane', {
    appConfig: {
      applicationId: ASSET_APPCONFIG.application,
      environmentId: ASSET_APPCONFIG.environment,
      configurationProfileId: ASSET_APPCONFIG.profile,
      configurationArn: () => `arn:aws:appconfig:us-east-1:123456789012:application/${ASSET_APPCONFIG.application}/*`,
    },
    stagingBucket: new Bucket(stack, 'Staging'),
    timeZone: 'UTC',
    applicationName: 'shop',
    tableNamePrefixes: ['PersonalizationApiItemMetadata_'],
  });
  const assembly = app.synth();
  const template = assembly.getStackByName('Bundle').template as { Resources: Record<string, any> };
  const resource = template.Resources[stack.getLogicalId(dataPlane.function.node.defaultChild as never)];
  const variables = (resource.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
  const environment: Record<string, string> = {};
  const unresolved: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value === 'string') environment[name] = value;
    else unresolved.push(name);
  }
  return {
    dir: join(assembly.directory, resource.Metadata['aws:asset:path']),
    handler: resource.Properties.Handler,
    environment,
    unresolved,
    timeoutSeconds: resource.Properties.Timeout,
    memorySize: resource.Properties.MemorySize,
    runtime: resource.Properties.Runtime,
  };
}

export interface BundleFootprint {
  /** Bytes of every JavaScript file of the bundle (`index.mjs` and all chunks; no source maps, no node_modules). */
  totalBytes: number;
  /** Bytes of what Node reads and evaluates before the handler module has: `index.mjs` and its static imports. */
  initBytes: number;
  /** The files loaded at init, relative to the asset. */
  initFiles: string[];
}

/** Static imports of a sibling file in esbuild's output (`import{a}from"./chunks/x.mjs"`, `import"./x.mjs"`), not `import()`. */
const STATIC_IMPORT = /(?:\bfrom|\bimport)\s*"(\.\.?\/[^"]+\.mjs)"/g;

/**
 * What the bundle weighs in all and what of it is loaded in the init phase. Chunks reached only through
 * `import()` load later, when the code that needs them first runs.
 *
 * @example
 * const { initBytes, totalBytes } = bundleFootprint(synthDataPlaneAsset().dir);
 */
export function bundleFootprint(dir: string): BundleFootprint {
  const scripts = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (name) => name.endsWith('.mjs') && !name.startsWith('node_modules'),
  );
  const bytes = (file: string) => statSync(join(dir, file)).size;
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const [, specifier] of readFileSync(join(dir, file), 'utf8').matchAll(STATIC_IMPORT)) {
      visit(relative(dir, join(dir, dirname(file), specifier!)));
    }
  };
  visit('index.mjs');
  const initFiles = [...loaded].sort();
  return {
    totalBytes: scripts.reduce((sum, file) => sum + bytes(file), 0),
    initBytes: initFiles.reduce((sum, file) => sum + bytes(file), 0),
    initFiles,
  };
}
