/**
 * The item-metadata stores of a running data plane: one store per namespace and store identity, made
 * when a configuration that uses it is prepared and closed when the configuration serving no longer
 * does. `localdb` is synced from the staging bucket when one is given (Lambda) and read from the data
 * folder otherwise (local); `dynamodb` reads the namespace's table; `personalize` needs no store
 * (Personalize returns the metadata itself). The lifecycle (lifecycle.ts) calls `prepare` before a
 * configuration serves and `retain` once it does. The DynamoDB store and the S3 sync, with their SDK
 * clients, are loaded by the first `prepare` of a configuration that uses them (`import()`: chunks of
 * their own), so a deployment whose stores are all localdb files never loads DynamoDB's.
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { localdbDir, readManifest } from '../../contracts/item-metadata/localdb-layout.ts';
import type { ItemMetadataConfig } from '../../schema/config-schema.ts';
import { itemMetadataStoreId, type ResolvedConfig } from '../../schema/resolve-config.ts';
import type { Logger } from '../../shared/logger.ts';
import { onDemand } from '../../shared/on-demand.ts';
import type { RetryPolicy } from '../../shared/retry.ts';
import type { PrepareOptions } from '../lifecycle.ts';
import { createFileSyncedLocaldb, type FileSyncedLocaldb } from './file-sync.ts';
import type { S3SyncedLocaldb } from './s3-sync.ts';
import type { ItemMetadataStore, ItemMetadataStores } from './types.ts';

export interface ItemMetadataStoresOptions {
  /** Local stores live under `{dataDir}/localdb/`; on Lambda the downloads go there (`/tmp/p13n`). */
  dataDir: string;
  /** Staging bucket holding `localdbs/{namespace}/`; when set, localdb stores sync from it. */
  stagingBucket?: string;
  clients: StoreClients;
  logger: Logger;
  /** DynamoDB retry tuning (tests make the backoff instant). */
  retry?: Partial<RetryPolicy>;
}

/** The clients of the DynamoDB stores and the S3 sync (AwsClients has them), each asked for only when a store needs it. */
export interface StoreClients {
  s3?(): S3Client;
  dynamodb?(): DynamoDBClient;
  /** Imports the clients' SDK packages (AwsClients.load); absent when the clients are built already (tests). */
  load?(...names: Array<'s3' | 'dynamodb'>): Promise<void>;
}

/** What the lifecycle drives (lifecycle.ts's ConfigPart): prepare a configuration's stores, release the rest. */
export interface ManagedItemMetadataStores extends ItemMetadataStores {
  /**
   * Makes every store `resolved` uses and gets it ready: locally, (re)builds the localdb of each
   * namespace whose configuration names a `sourceFile` when the store was built from another file or is
   * older than it; with a staging bucket, waits up to `waitMs` for each store's first download. A store
   * still not ready then fails the configuration — except the first one, which has nothing to fall back
   * to and serves marked, uncached answers until its store is ready.
   */
  prepare(resolved: ResolvedConfig, options: PrepareOptions): Promise<void>;
  /** Closes every store `resolved` does not use (LMDB handles, sync timers). */
  retain(resolved: ResolvedConfig): Promise<void>;
  close(): Promise<void>;
}

/**
 * @example
 * const stores = createItemMetadataStores({ dataDir: 'data', clients: { dynamodb }, logger });
 * await stores.prepare(resolved, { first: true, waitMs: 5000 }); // by the lifecycle, before it serves
 * const store = stores('shop', { type: 'localdb' });
 * const metadata = await store?.getMany(['a', 'b']);
 */
export function createItemMetadataStores(options: ItemMetadataStoresOptions): ManagedItemMetadataStores {
  const { dataDir, stagingBucket, clients, logger } = options;
  const cache = new Map<string, ItemMetadataStore>();
  const localStores = new Map<string, FileSyncedLocaldb>();
  const syncedStores = new Map<string, S3SyncedLocaldb>();
  const dynamodbStores = onDemand(async () => {
    if (!clients.dynamodb) throw new Error('a DynamoDB client is needed for dynamodb item metadata');
    return (await Promise.all([import('./dynamodb-store.ts'), clients.load?.('dynamodb')]))[0];
  });
  const s3Sync = onDemand(async () => {
    if (!clients.s3) throw new Error('an S3 client is needed to sync localdb stores from the staging bucket');
    return (await Promise.all([import('./s3-sync.ts'), clients.load?.('s3')]))[0];
  });
  /** What the stores of a configuration are made from, loaded before `create` makes them. */
  const modulesFor = (config: ItemMetadataConfig) =>
    config.type === 'dynamodb' ? dynamodbStores : config.type === 'localdb' && stagingBucket ? s3Sync : undefined;
  const loaded = <T>(module: { current: T | undefined }, config: ItemMetadataConfig): T => {
    if (!module.current) throw new Error(`a ${config.type} store is used before a configuration using it was prepared`);
    return module.current;
  };

  const create = (namespace: string, config: ItemMetadataConfig): ItemMetadataStore | undefined => {
    if (config.type === 'dynamodb') {
      const { DynamodbItemMetadataStore } = loaded(dynamodbStores, config);
      return new DynamodbItemMetadataStore({ client: clients.dynamodb!(), namespace, config, retry: options.retry });
    }
    if (config.type !== 'localdb') return undefined;
    if (stagingBucket) {
      const synced = loaded(s3Sync, config).createS3SyncedLocaldb({
        s3: clients.s3!(),
        bucket: stagingBucket,
        namespace,
        dataDir,
        syncInterval: config.syncInterval,
        logger,
      });
      syncedStores.set(namespace, synced);
      return synced;
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

  const buildFromSource = async (namespace: string, sourceFile: string) => {
    const source = await stat(sourceFile).catch((err: NodeJS.ErrnoException) => {
      throw new Error(
        `namespace ${namespace}: cannot read localdb sourceFile ${sourceFile}: ${err.code ?? err.message}`,
      );
    });
    const manifest = await readManifest(localdbDir(dataDir, namespace));
    const sameSource = manifest?.source === undefined || manifest.source === sourceFile;
    if (manifest && sameSource && Date.parse(manifest.builtAt) >= source.mtimeMs) return;
    // Imported here only: a local build never happens on Lambda, whose init phase need not load the importer.
    const { importItems } = await import('../../contracts/item-metadata/import-items.ts');
    const report = await importItems({
      namespace,
      config: { type: 'localdb' },
      source: createReadStream(sourceFile),
      sourceFile,
      clients: {},
      dataDir,
      logger,
    });
    for (const bad of report.skipped) logger.warn('skipped catalogue line', { namespace, sourceFile, ...bad });
    logger.info('localdb built from sourceFile', { namespace, sourceFile, imported: report.imported });
  };

  stores.prepare = async (resolved, { first, waitMs }) => {
    const configs = [...resolved.namespaces.values()].flatMap((ns) => ns.itemMetadataStores);
    await Promise.all([...new Set(configs.map(modulesFor))].map((module) => module?.load()));
    const used = new Set<string>();
    for (const [namespace, ns] of resolved.namespaces) {
      const sourceFile = stagingBucket
        ? undefined
        : ns.itemMetadataStores.find((c) => c.type === 'localdb')?.sourceFile;
      if (sourceFile) await buildFromSource(namespace, sourceFile);
      for (const config of ns.itemMetadataStores) {
        const store = stores(namespace, config);
        if (!store) continue;
        // A local store swaps in the new build now, so no request sees the old catalogue under the new configuration.
        if (sourceFile) await localStores.get(namespace)?.reload();
        used.add(namespace);
      }
    }
    const synced = [...syncedStores].filter(([namespace]) => used.has(namespace));
    const syncing = synced.flatMap(([, store]) => (store.ready() ? [] : [store]));
    if (syncing.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(syncing.map((store) => store.sync())),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, waitMs);
        }),
      ]);
      clearTimeout(timer);
    }
    const notReady = synced.flatMap(([namespace, store]) => {
      if (store.ready()) return [];
      return [
        `${namespace} (${store.missing() ? 'no localdb in the staging bucket' : `not downloaded within ${waitMs} ms`})`,
      ];
    });
    if (notReady.length === 0) return;
    if (!first) throw new Error(`item-metadata stores not ready: ${notReady.join(', ')}`);
    logger.warn('item-metadata stores not ready; their answers are marked and not cached until they are', {
      stores: notReady,
    });
  };

  stores.retain = async (resolved) => {
    const keep = new Set<string>();
    for (const [namespace, ns] of resolved.namespaces) {
      for (const config of ns.itemMetadataStores) {
        const id = itemMetadataStoreId(namespace, config);
        if (id) keep.add(id);
      }
    }
    for (const [id, store] of [...cache]) {
      if (keep.has(id)) continue;
      cache.delete(id);
      for (const [namespace, local] of localStores) if (local === store) localStores.delete(namespace);
      for (const [namespace, synced] of syncedStores) if (synced === store) syncedStores.delete(namespace);
      await store.close?.();
      logger.info('item-metadata store released', { store: id });
    }
  };

  stores.close = async () => {
    const all = [...cache.values()];
    cache.clear();
    localStores.clear();
    syncedStores.clear();
    await Promise.all(all.map((s) => s.close?.()));
  };

  return stores;
}
