/**
 * The localdb of a namespace when running locally: the file named by `{dataDir}/localdb/{namespace}/
 * current.json`, which `p13n import-items` (or the start-up import) publishes. The manifest is checked
 * every few seconds so an import made while the server runs is picked up without a restart; a missing
 * manifest is logged once.
 */

import { join } from 'node:path';
import type { ItemMetadata } from '../../contracts/item-metadata/item.ts';
import { localdbDir, readManifest, readManifestSync } from '../../contracts/item-metadata/localdb-layout.ts';
import type { Logger } from '../../shared/logger.ts';
import { createPoller } from '../../shared/poller.ts';
import { LocaldbStore } from './localdb-store.ts';
import type { ItemMetadataStore } from './types.ts';

/** Seconds between manifest checks when the configuration gives no `syncInterval`. */
export const DEFAULT_LOCAL_CHECK_SECONDS = 10;

export interface FileSyncOptions {
  dataDir: string;
  namespace: string;
  syncInterval?: number;
  logger: Logger;
}

export interface FileSyncedLocaldb extends ItemMetadataStore {
  /** Reads the manifest now and swaps in the file it names if that changed; true when it did. */
  reload(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * @example
 * const store = createFileSyncedLocaldb({ dataDir: 'data', namespace: 'shop', logger });
 * await store.reload();
 * await store.getMany(['a']);
 */
export function createFileSyncedLocaldb(options: FileSyncOptions): FileSyncedLocaldb {
  const { namespace, logger } = options;
  const dir = localdbDir(options.dataDir, namespace);
  // Opened at once when a build exists, so the first request is already decorated.
  let store = new LocaldbStore(undefined, { writable: true });
  let initial = false;
  try {
    const manifest = readManifestSync(dir);
    if (manifest) {
      store = new LocaldbStore(join(dir, manifest.file), { writable: true });
      initial = true;
    }
  } catch (err) {
    logger.error('localdb could not be opened; retrying in the background', {
      namespace,
      error: (err as Error).message,
    });
  }
  let missingLogged = false;
  let closed = false;

  const check = async (): Promise<boolean> => {
    const manifest = await readManifest(dir);
    if (!manifest) {
      if (!missingLogged) {
        logger.warn('no localdb built yet; run p13n import-items', { namespace, dir });
        missingLogged = true;
      }
      return false;
    }
    missingLogged = false;
    const path = join(dir, manifest.file);
    if (path === store.path || closed) return false;
    await store.swap(path);
    logger.info('localdb opened', { namespace, path, items: manifest.items });
    return true;
  };

  const poller = createPoller({
    task: check,
    delayMs: () => 1000 * (options.syncInterval ?? DEFAULT_LOCAL_CHECK_SECONDS),
    onError: (err) =>
      logger.error('localdb reload failed; the current file keeps serving', {
        namespace,
        error: (err as Error).message,
      }),
  });
  poller.start();
  if (!initial) poller.runInBackground();

  return {
    getMany: (ids: readonly string[]): Promise<Map<string, ItemMetadata>> => store.getMany(ids),
    getManyNow: (ids: readonly string[]): Map<string, ItemMetadata> => store.getManyNow(ids),
    putMany: async (items) => {
      if (!store.path) throw new Error(`no localdb built yet for namespace ${namespace}; run p13n import-items`);
      await store.putMany(items);
    },
    reload: poller.run,
    ready: () => store.path !== undefined,
    async close() {
      closed = true;
      await poller.stop();
      await store.close();
    },
  };
}
