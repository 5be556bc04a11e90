/**
 * The item-metadata import, shared by `p13n import-items` and the control plane's load-item-metadata
 * handler: stream a JSON-lines catalogue, validate every line, and load the valid items into the
 * namespace's store — a fresh localdb file published locally or uploaded to the staging bucket, or a
 * DynamoDB table bulk-written and then purged of items an earlier import left behind. A file without a
 * single valid item changes nothing, so a broken upload never empties a store.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ItemMetadataConfig } from '../../schema/config-schema.ts';
import { dynamodbTableName } from '../../schema/resolve-config.ts';
import type { Logger } from '../../shared/logger.ts';
import type { RetryPolicy } from '../../shared/retry.ts';
import { createDynamodbWriter, purgeOlderVersions } from './dynamodb-writer.ts';
import { type InvalidLine, readItemLines } from './json-lines.ts';
import { localdbDir, localdbFileName, localdbObjectKey, publishLocaldb, removeLocaldbFile } from './localdb-layout.ts';
import { createLocaldbWriter } from './localdb-writer.ts';

export interface ImportItemsOptions {
  namespace: string;
  /** The namespace's `inferenceItemMetadata`; only `localdb` and `dynamodb` can be imported into. */
  config: ItemMetadataConfig;
  /** Raw bytes of the JSON-lines file, plain or gzip. */
  source: Readable;
  clients: { s3?: S3Client; dynamodb?: DynamoDBClient };
  /** localdb: upload to this bucket's `localdbs/{namespace}/`; without it the store is published under `dataDir`. */
  stagingBucket?: string;
  /** localdb: where local stores live (required without `stagingBucket`; scratch space with it). */
  dataDir?: string;
  /** Import version stamped on DynamoDB items and naming localdb files (default `Date.now()`). */
  version?: number;
  /** localdb, local: the catalogue file `source` was read from, recorded in the manifest (a `sourceFile` build). */
  sourceFile?: string;
  logger?: Logger;
  /** DynamoDB retry tuning; tests make it instant. */
  retry?: Partial<RetryPolicy>;
}

export interface ImportReport {
  /** Valid lines loaded into the store (a repeated ID counts each time; the last line wins). */
  imported: number;
  /** Rejected lines with the reason, in line order; the first 1,000 are kept. */
  skipped: InvalidLine[];
  /** How many lines were rejected in all. */
  skippedCount: number;
  /** DynamoDB: items of earlier imports deleted because this file no longer has them. */
  purged?: number;
  /** Where the items went: a local file, an s3:// URL or the DynamoDB table name. */
  location: string;
}

export class ImportError extends Error {
  override name = 'ImportError';
}

const MAX_REPORTED = 1_000;

class SkipList {
  readonly lines: InvalidLine[] = [];
  count = 0;
  add(lines: readonly InvalidLine[]) {
    this.count += lines.length;
    for (const line of lines) if (this.lines.length < MAX_REPORTED) this.lines.push(line);
  }
}

/**
 * @example
 * const report = await importItems({
 *   namespace: 'shop', config: { type: 'localdb' }, source: createReadStream('items.jsonl.gz'),
 *   clients: {}, dataDir: 'data',
 * });
 * // { imported: 2000, skipped: [{ line: 7, reason: 'missing "id"' }], skippedCount: 1, location: 'data/localdb/shop/items-….mdb' }
 */
export async function importItems(options: ImportItemsOptions): Promise<ImportReport> {
  const { config } = options;
  if (config.type === 'localdb') return importLocaldb(options);
  if (config.type === 'dynamodb') return importDynamodb(options, config);
  throw new ImportError(`namespace ${options.namespace}: item metadata of type '${config.type}' cannot be imported`);
}

async function importLocaldb(options: ImportItemsOptions): Promise<ImportReport> {
  const { namespace, stagingBucket, logger } = options;
  const version = options.version ?? Date.now();
  if (stagingBucket && !options.clients.s3)
    throw new ImportError('an S3 client is needed to upload to the staging bucket');
  if (!stagingBucket && !options.dataDir) throw new ImportError('a data folder or a staging bucket is needed');

  // Local: build beside the live file and publish; staging: build in scratch space and upload.
  let dir: string;
  if (stagingBucket) {
    const scratch = options.dataDir ?? tmpdir();
    await mkdir(scratch, { recursive: true });
    dir = await mkdtemp(join(scratch, 'localdb-build-'));
  } else {
    dir = localdbDir(options.dataDir as string, namespace);
    await mkdir(dir, { recursive: true });
  }
  const file = localdbFileName(version);
  const path = join(dir, file);
  const writer = createLocaldbWriter(path);
  const skipped = new SkipList();
  let imported = 0;
  try {
    for await (const batch of readItemLines(options.source)) {
      writer.add(batch.items);
      imported += batch.items.length;
      skipped.add(batch.invalid);
    }
  } catch (err) {
    await writer.abort();
    await removeLocaldbFile(path);
    if (stagingBucket) await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const distinct = await writer.finish();

  const report = (location: string): ImportReport => ({
    imported,
    skipped: skipped.lines,
    skippedCount: skipped.count,
    location,
  });
  if (!stagingBucket) {
    if (imported === 0) {
      await removeLocaldbFile(path);
      return report(dir);
    }
    await publishLocaldb(dir, {
      file,
      version,
      items: distinct,
      builtAt: new Date().toISOString(),
      ...(options.sourceFile ? { source: options.sourceFile } : {}),
    });
    logger?.info('localdb published', { namespace, path, items: distinct, skipped: skipped.count });
    return report(path);
  }

  const key = localdbObjectKey(namespace);
  const location = `s3://${stagingBucket}/${key}`;
  try {
    if (imported === 0) return report(location);
    const gzipped = `${path}.gz`;
    await pipeline(createReadStream(path), createGzip(), createWriteStream(gzipped));
    const { size } = await stat(gzipped);
    await (options.clients.s3 as S3Client).send(
      new PutObjectCommand({
        Bucket: stagingBucket,
        Key: key,
        Body: createReadStream(gzipped),
        ContentLength: size,
        ContentType: 'application/gzip',
        Metadata: { version: String(version), items: String(distinct) },
      }),
    );
    logger?.info('localdb uploaded', { namespace, location, items: distinct, bytes: size, skipped: skipped.count });
    return report(location);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function importDynamodb(
  options: ImportItemsOptions,
  config: Extract<ItemMetadataConfig, { type: 'dynamodb' }>,
): Promise<ImportReport> {
  const { namespace, logger } = options;
  const client = options.clients.dynamodb;
  if (!client) throw new ImportError('a DynamoDB client is needed to import into a dynamodb store');
  const version = options.version ?? Date.now();
  const target = {
    client,
    tableName: dynamodbTableName(namespace, config),
    keyName: config.keyName ?? 'id',
    retry: options.retry,
  };
  const writer = createDynamodbWriter(target, version);
  const skipped = new SkipList();
  let valid = 0;
  for await (const batch of readItemLines(options.source)) {
    skipped.add(batch.invalid);
    valid += batch.items.length;
    await writer.add(batch.items);
  }
  const refused = await writer.finish();
  skipped.add(refused);
  const imported = valid - refused.length;
  if (imported === 0) {
    return { imported, skipped: skipped.lines, skippedCount: skipped.count, location: target.tableName };
  }
  const purged = await purgeOlderVersions(target, version);
  logger?.info('dynamodb import done', {
    namespace,
    table: target.tableName,
    imported,
    purged,
    skipped: skipped.count,
  });
  // Lines refused by DynamoDB come after the parse errors in the file; keep the report in line order.
  skipped.lines.sort((a, b) => a.line - b.line);
  return { imported, skipped: skipped.lines, skippedCount: skipped.count, purged, location: target.tableName };
}
