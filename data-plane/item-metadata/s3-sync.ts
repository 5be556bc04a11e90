/**
 * The localdb of a namespace on Lambda: downloaded from `localdbs/{namespace}/items.mdb.gz` in the
 * staging bucket, gunzipped into the data folder, opened and swapped in. The first check starts when
 * the store is made; the lifecycle waits for it (bounded) before the configuration serves. A background
 * timer then checks the object every `syncInterval` seconds (HeadObject) and downloads only when its
 * ETag changed. Requests never wait for a download: until the first one completes the store is not
 * `ready()` and answers with no metadata. A missing object is logged once until it appears.
 */

import { createWriteStream } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ItemMetadata } from '../../contracts/item-metadata/item.ts';
import { localdbDir, localdbObjectKey, removeLocaldbFile } from '../../contracts/item-metadata/localdb-layout.ts';
import type { Logger } from '../../shared/logger.ts';
import { createPoller } from '../../shared/poller.ts';
import { LocaldbStore } from './localdb-store.ts';
import type { ItemMetadataStore } from './types.ts';

export const DEFAULT_SYNC_INTERVAL_SECONDS = 300;

export interface S3SyncOptions {
  s3: S3Client;
  bucket: string;
  namespace: string;
  dataDir: string;
  /** Seconds between checks (default 300). */
  syncInterval?: number;
  logger: Logger;
}

export interface S3SyncedLocaldb extends ItemMetadataStore {
  /** Checks the bucket now; true when a new file was swapped in. Concurrent calls share one check. */
  sync(): Promise<boolean>;
  /** A file has been downloaded and serves. */
  ready(): boolean;
  /** The last check found no object in the bucket. */
  missing(): boolean;
  /** Stops the timer, waits for a running check and closes the file. */
  close(): Promise<void>;
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}

/**
 * @example
 * const store = createS3SyncedLocaldb({ s3, bucket: env.P13N_STAGING_BUCKET, namespace: 'shop', dataDir: '/tmp/p13n', logger });
 * await store.getMany(['a']); // empty until the first download lands, then decorated
 */
export function createS3SyncedLocaldb(options: S3SyncOptions): S3SyncedLocaldb {
  const { s3, bucket, namespace, logger } = options;
  const key = localdbObjectKey(namespace);
  const dir = localdbDir(options.dataDir, namespace);
  const store = new LocaldbStore();
  let etag: string | undefined;
  let missingLogged = false;
  let missing = false;
  let downloads = 0;
  let closed = false;

  const prepareDir = (async () => {
    await mkdir(dir, { recursive: true });
    // Files left by an earlier process in this sandbox are never read again.
    for (const name of await readdir(dir)) {
      if (name.startsWith('s3-') && name.endsWith('.mdb')) await removeLocaldbFile(join(dir, name));
    }
  })();

  const check = async (): Promise<boolean> => {
    await prepareDir;
    let head: { ETag?: string };
    try {
      head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (err) {
      if (!isMissing(err)) throw err;
      missing = true;
      if (!missingLogged) {
        logger.warn('no localdb in the staging bucket yet; responses stay undecorated', { namespace, bucket, key });
        missingLogged = true;
      }
      return false;
    }
    missingLogged = false;
    missing = false;
    if (head.ETag === etag || closed) return false;

    const path = join(dir, `s3-${++downloads}-${Date.now()}.mdb`);
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: head.ETag }));
      await pipeline(object.Body as Readable, createGunzip(), createWriteStream(path));
      if (closed) {
        await removeLocaldbFile(path);
        return false;
      }
      const previous = await store.swap(path);
      if (previous) await removeLocaldbFile(previous);
    } catch (err) {
      await removeLocaldbFile(path);
      throw err;
    }
    etag = head.ETag;
    logger.info('localdb swapped in from the staging bucket', { namespace, key, etag });
    return true;
  };

  const poller = createPoller({
    task: check,
    delayMs: () => 1000 * (options.syncInterval ?? DEFAULT_SYNC_INTERVAL_SECONDS),
    onError: (err) =>
      logger.error('localdb sync failed; the current file keeps serving', {
        namespace,
        key,
        error: (err as Error).message,
      }),
  });
  poller.start();
  poller.runInBackground();

  return {
    getMany: (ids: readonly string[]): Promise<Map<string, ItemMetadata>> => store.getMany(ids),
    getManyNow: (ids: readonly string[]): Map<string, ItemMetadata> => store.getManyNow(ids),
    sync: poller.run,
    ready: () => store.path !== undefined,
    missing: () => missing,
    async close() {
      closed = true;
      await poller.stop();
      await store.close();
    },
  };
}
