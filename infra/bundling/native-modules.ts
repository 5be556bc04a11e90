/**
 * Native packages (`lmdb` and the msgpackr extension it uses) cannot be bundled by esbuild: their
 * JavaScript loads a prebuilt `.node` binary from a platform package at run time. Functions that use
 * them keep these packages external and get a copy of their installed dependency closure in the
 * asset's `node_modules`, with the Linux x64 prebuilds (Lambda runs x86_64, glibc, Node.js 24).
 *
 * Copying from the project's own `node_modules` works offline and ships exactly the tested versions;
 * an `npm install` inside the asset (NodejsFunction `nodeModules`) would need the registry at synth.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';

/** Packages kept out of the bundle and copied into the asset instead. */
export const NATIVE_MODULES = ['lmdb', 'msgpackr', 'msgpackr-extract'] as const;

/** The Lambda platform the copied prebuilds must match. */
const LAMBDA_PLATFORM = { os: 'linux', cpu: 'x64' } as const;

/**
 * Node.js 24's module ABI. lmdb and msgpackr-extract ship no prebuild for it, so Lambda loads their
 * N-API (ABI-stable) build; prebuilds for other ABIs are dropped from the asset.
 */
const LAMBDA_NODE_ABI = 137;

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Node's lookup: `node_modules/<name>` in `from` or any parent folder. */
function findPackageDir(name: string, from: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function allows(list: string[] | undefined, value: string): boolean {
  if (list === undefined || list.length === 0) return true;
  if (list.includes(`!${value}`)) return false;
  const positive = list.filter((entry) => !entry.startsWith('!'));
  return positive.length === 0 || positive.includes(value);
}

const PLATFORM_PACKAGE = /-(darwin|linux|win32|freebsd|android)-/;

/** A platform package built for Lambda's platform, judged by its name (it may not be installed here). */
function isLambdaPrebuildName(name: string): boolean {
  return name.endsWith(`-${LAMBDA_PLATFORM.os}-${LAMBDA_PLATFORM.cpu}`);
}

/**
 * The installed folders of `roots` and everything they load at run time (dependencies, and optional
 * dependencies for Lambda's platform), in the layout npm installed them under `projectRoot`.
 *
 * @throws Error when a root or a Lambda-platform prebuild is not installed.
 */
export function nativeModuleClosure(roots: readonly string[], projectRoot: string): string[] {
  const found = new Set<string>();
  const visit = (name: string, from: string, required: boolean) => {
    const dir = findPackageDir(name, from);
    if (dir === undefined) {
      if (required) {
        throw new Error(
          `${name} is not installed under ${projectRoot}; the Lambda asset needs it. ` +
            `Install it with: npm install --no-save --os=${LAMBDA_PLATFORM.os} --cpu=${LAMBDA_PLATFORM.cpu} ${name}`,
        );
      }
      return;
    }
    if (found.has(dir)) return;
    const pkg = readPackageJson(dir);
    if (!allows(pkg.os, LAMBDA_PLATFORM.os) || !allows(pkg.cpu, LAMBDA_PLATFORM.cpu)) return;
    found.add(dir);
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir, true);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) {
      // A root's own prebuild is essential; other optional packages (msgpackr-extract) have fallbacks.
      if (isLambdaPrebuildName(dep)) visit(dep, dir, roots.includes(name));
      else if (!PLATFORM_PACKAGE.test(dep)) visit(dep, dir, false);
    }
  };
  for (const root of roots) visit(root, projectRoot, true);
  // A folder nested inside another copied folder travels with it.
  const dirs = [...found].sort();
  return dirs.filter((dir) => !dirs.some((other) => other !== dir && dir.startsWith(other + sep)));
}

const quote = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;

/**
 * NodejsFunction command hooks that copy the native closure of `roots` into the asset after bundling
 * and drop prebuilds Lambda never loads (musl builds and other Node.js ABIs).
 *
 * @example
 * new NodejsFunction(scope, 'Fn', { entry, bundling: { externalModules: [...NATIVE_MODULES],
 *   commandHooks: nativeModuleHooks(['lmdb'], PROJECT_ROOT) } });
 */
export function nativeModuleHooks(roots: readonly string[], projectRoot: string): ICommandHooks {
  const dirs = nativeModuleClosure(roots, projectRoot);
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) => {
      const commands: string[] = [];
      for (const dir of dirs) {
        const target = join(outputDir, relative(projectRoot, dir));
        commands.push(`mkdir -p ${quote(dirname(target))}`, `cp -R ${quote(dir)} ${quote(target)}`);
      }
      const modules = join(outputDir, 'node_modules');
      commands.push(
        `find ${quote(modules)} -name '*.musl.node' -delete`,
        `find ${quote(modules)} -name 'node.abi*.node' ! -name 'node.abi${LAMBDA_NODE_ABI}.*' -delete`,
      );
      return commands;
    },
  };
}
