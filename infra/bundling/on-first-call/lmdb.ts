/**
 * What the split bundle (../split-bundle.ts) puts in place of `lmdb`: the same `open`, which loads lmdb when
 * first called instead of at init. lmdb's ES module graph with msgpackr's and their two native addons took
 * about a third of the data plane's module init, and only a configuration with localdb item metadata opens
 * a file. `open` is called synchronously, so lmdb is `require`d rather than imported: Node loads its
 * CommonJS build (`dist/index.cjs`, the same release as one file) from the asset's `node_modules`.
 */
import { createRequire } from 'node:module';
import type * as Lmdb from 'lmdb';

// Not `require`: the bundle's banner declares that name at the top of every chunk.
const load = createRequire(import.meta.url);
let lmdb: typeof Lmdb | undefined;

export const open = ((...args: Parameters<typeof Lmdb.open>) => {
  lmdb ??= load('lmdb') as typeof Lmdb;
  return lmdb.open(...args);
}) as typeof Lmdb.open;
