/**
 * The item-metadata stores of a running data plane: one store per namespace and configuration, made
 * on first use and kept. `localdb` is synced from the staging bucket when one is given (Lambda) and
 * read from the data folder otherwise (local); `dynamodb` reads the namespace's table; `personalize`
 * needs no store (Personalize returns the metadata itself). `prepare` builds local stores from their
 * configured `sourceFile` before the server starts listening.
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { importItems } from '../../contracts/item-metadata/import-items.ts';
import { localdbDir, readManifest } from '../../contracts/item-metadata/localdb-layout.ts';
import type { ItemMetadataConfig } from '../../schema/config-schema.ts';
import { itemMetadataStoreId, type ResolvedConfig } from '../../schema/resolve-config.ts';
import type { Logger } from '../../shared/logger.ts';
import type { RetryPolicy } from '../../shared/retry.ts';
import { DynamodbItemMetadataStore } from './dynamodb-store.ts';
import { createFileSyncedLocaldb, type FileSyncedLocaldb } from './file-sync.ts';
import { createS3SyncedLocaldb } from './s3-sync.ts';
import type { ItemMetadataStore, ItemMetadataStores } from './types.ts';

export interface ItemMetadataStoresOptions {
  /** Local stores live under `{dataDir}/localdb/`; on Lambda the downloads go there (`/tmp/p13n`). */
  dataDir: string;
  /** Staging bucket holding `localdbs/{namespace}/`; when set, localdb stores sync from it. */
  stagingBucket?: string;
  clients: { s3?: S3Client; dynamodb?: DynamoDBClient };
  logger: Logger;
  /** DynamoDB retry tuning (tests make the backoff instant). */
  retry?: Partial<RetryPolicy>;
}

export interface ManagedItemMetadataStores extends ItemMetadataStores {
  /**
   * Local mode: (re)builds the localdb of every namespace whose configuration names a `sourceFile`
   * when the store is missing or older than that file. Does nothing with a staging bucket.
   */
  prepare(resolved: ResolvedConfig): Promise<void>;
  close(): Promise<void>;
}

/**
 * @example
 * const stores = createItemMetadataStores({ dataDir: 'data', clients: { dynamodb }, logger });
 * await stores.prepare(resolved);              // p13n serve, before listening
 * const store = stores('shop', { type: 'localdb' });
 * const metadata = await store?.getMany(['a', 'b']);
 */
export function createItemMetadataStores(options: ItemMetadataStoresOptions): ManagedItemMetadataStores {
  const { dataDir, stagingBucket, clients, logger } = options;
  const cache = new Map<string, ItemMetadataStore>();
  const localStores = new Map<string, FileSyncedLocaldb>();

  const create = (namespace: string, config: ItemMetadataConfig): ItemMetadataStore | undefined => {
    if (config.type === 'dynamodb') {
      if (!clients.dynamodb) throw new Error('a DynamoDB client is needed for dynamodb item metadata');
      return new DynamodbItemMetadataStore({ client: clients.dynamodb, namespace, config, retry: options.retry });
    }
    if (config.type !== 'localdb') return undefined;
    if (stagingBucket) {
      if (!clients.s3) throw new Error('an S3 client is needed to sync localdb stores from the staging bucket');
      return createS3SyncedLocaldb({
        s3: clients.s3,
        bucket: stagingBucket,
        namespace,
        dataDir,
        syncInterval: config.syncInterval,
        logger,
      });
    }
    const store = createFileSyncedLocaldb({ dataDir, namespace, syncInterval: config.syncInterval, logger });
    localStores.set(namespace, store);
    return store;
  };

  const stores = ((namespace: string, config: ItemMetadataConfig) => {
    const key = itemMetadataStoreId(namespace, config);
    if (!key) return undefined;
    let store = cache.get(key);
    if (!store) {
      store = create(namespace, config);
      if (store) cache.set(key, store);
    }
    return store;
  }) as ManagedItemMetadataStores;

  stores.prepare = async (resolved) => {
    if (stagingBucket) return;
    for (const [namespace, ns] of resolved.namespaces) {
      const sourceFile = ns.itemMetadataStores.find((c) => c.type === 'localdb')?.sourceFile;
      if (!sourceFile) continue;
      const source = await stat(sourceFile).catch((err: NodeJS.ErrnoException) => {
        throw new Error(
          `namespace ${namespace}: cannot read localdb sourceFile ${sourceFile}: ${err.code ?? err.message}`,
        );
      });
      const manifest = await readManifest(localdbDir(dataDir, namespace));
      if (manifest && Date.parse(manifest.builtAt) >= source.mtimeMs) continue;
      const report = await importItems({
        namespace,
        config: { type: 'localdb' },
        source: createReadStream(sourceFile),
        clients: {},
        dataDir,
        logger,
      });
      for (const bad of report.skipped) logger.warn('skipped catalogue line', { namespace, sourceFile, ...bad });
      logger.info('localdb built from sourceFile', { namespace, sourceFile, imported: report.imported });
      await localStores.get(namespace)?.reload();
    }
  };

  stores.close = async () => {
    const all = [...cache.values()];
    cache.clear();
    localStores.clear();
    await Promise.all(all.map((s) => s.close?.()));
  };

  return stores;
}
