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
import type { ItemMetadataConfig } from '../../schema/config-schema.ts';
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import { DynamodbItemMetadataStore } from './dynamodb-store.ts';
import { createFileSyncedLocaldb, type FileSyncedLocaldb } from './file-sync.ts';
import { importItems } from './import/import-items.ts';
import { localdbDir, readManifest } from './localdb-layout.ts';
import type { RetryPolicy } from './retry-policy.ts';
import { createS3SyncedLocaldb } from './s3-sync.ts';
import type { ItemMetadataLogger, ItemMetadataStore, ItemMetadataStores } from './types.ts';

export interface ItemMetadataStoresOptions {
  /** Local stores live under `{dataDir}/localdb/`; on Lambda the downloads go there (`/tmp/p13n`). */
  dataDir: string;
  /** Staging bucket holding `localdbs/{namespace}/`; when set, localdb stores sync from it. */
  stagingBucket?: string;
  clients: { s3?: S3Client; dynamodb?: DynamoDBClient };
  logger: ItemMetadataLogger;
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

type LocaldbConfig = Extract<ItemMetadataConfig, { type: 'localdb' }>;

/** Every localdb configuration of a namespace, from the namespace down to its variations. */
function localdbConfigs(resolved: ResolvedConfig): Map<string, LocaldbConfig[]> {
  const out = new Map<string, LocaldbConfig[]>();
  const add = (namespace: string, config: ItemMetadataConfig | undefined) => {
    if (config?.type !== 'localdb') return;
    const list = out.get(namespace) ?? [];
    if (!list.includes(config)) list.push(config);
    out.set(namespace, list);
  };
  for (const ns of resolved.namespaces.values()) {
    add(ns.key, ns.inferenceItemMetadata);
    for (const recommenders of Object.values(ns.recommenders)) {
      for (const rec of recommenders.values()) {
        for (const variation of rec.variations.values()) add(ns.key, variation.inferenceItemMetadata);
      }
    }
  }
  return out;
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
    if (config.type === 'personalize') return undefined;
    // One localdb per namespace whatever the interval; DynamoDB stores differ by table and key.
    const key =
      config.type === 'localdb'
        ? `localdb\u0000${namespace}`
        : `dynamodb\u0000${namespace}\u0000${JSON.stringify(config)}`;
    let store = cache.get(key);
    if (!store) {
      store = create(namespace, config);
      if (store) cache.set(key, store);
    }
    return store;
  }) as ManagedItemMetadataStores;

  stores.prepare = async (resolved) => {
    if (stagingBucket) return;
    for (const [namespace, configs] of localdbConfigs(resolved)) {
      const sources = [...new Set(configs.flatMap((c) => (c.sourceFile ? [c.sourceFile] : [])))];
      if (sources.length > 1) {
        throw new Error(
          `namespace ${namespace} names ${sources.length} localdb source files; a namespace has one store`,
        );
      }
      const [sourceFile] = sources;
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
