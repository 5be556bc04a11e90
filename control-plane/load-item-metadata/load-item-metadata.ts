/**
 * The load-item-metadata task's core: an object created under `import/{namespace}/` in the staging
 * bucket is a JSON-lines catalogue (gzip allowed) for that namespace. It is imported into each store
 * the namespace's configuration reads (a localdb file uploaded to `localdbs/{namespace}/`, or a
 * DynamoDB table bulk-loaded and purged). Other keys and empty objects are ignored with a log line; a
 * namespace that is not configured, or has no store to import into, fails the execution so the upload
 * does not go unnoticed.
 */

import type { Readable } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { importItems as importItemsFn } from '../../contracts/item-metadata/import-items.ts';
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import type { Logger } from '../../shared/logger.ts';
import type { LoadItemMetadataResult, ObjectCreatedEvent } from '../../state-machines/load-item-metadata-payload.ts';
import { ControlPlaneError, ValidationFailed } from '../errors.ts';

const IMPORT_PREFIX = 'import/';

export interface LoadItemMetadataDeps {
  s3: S3Client;
  dynamodb: DynamoDBClient;
  /** Bucket localdb files are uploaded to (`localdbs/{namespace}/`). */
  stagingBucket: string;
  /** The configuration currently deployed. */
  loadConfig: () => Promise<ResolvedConfig>;
  importItems: typeof importItemsFn;
  logger: Logger;
}

/** `import/{namespace}/{file}` → namespace; undefined for any other key. */
export function namespaceOfKey(key: string): string | undefined {
  if (!key.startsWith(IMPORT_PREFIX)) return undefined;
  const [namespace, ...rest] = key.slice(IMPORT_PREFIX.length).split('/');
  return namespace && rest.length > 0 && rest.join('/') !== '' && !key.endsWith('/') ? namespace : undefined;
}

async function openObject(s3: S3Client, bucket: string, key: string): Promise<Readable> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!out.Body) throw new ControlPlaneError(`s3://${bucket}/${key} has no body`);
  return out.Body as Readable;
}

/**
 * @example
 * await loadItemMetadata(event, { s3, dynamodb, stagingBucket: 'p13n-staging', loadConfig, importItems, logger });
 * // → { status: 'imported', namespace: 'shop', key: 'import/shop/items.jsonl.gz', stores: [{ type: 'localdb', … }] }
 */
export async function loadItemMetadata(
  event: ObjectCreatedEvent,
  deps: LoadItemMetadataDeps,
): Promise<LoadItemMetadataResult> {
  const { key, size } = event.detail.object;
  const bucket = event.detail.bucket.name;
  const namespace = namespaceOfKey(key);
  if (!namespace) {
    const reason = `not an import file (expected ${IMPORT_PREFIX}{namespace}/{file})`;
    deps.logger.info('object ignored', { bucket, key, reason });
    return { status: 'ignored', key, reason };
  }
  if (size === 0) {
    const reason = 'empty object';
    deps.logger.info('object ignored', { bucket, key, reason });
    return { status: 'ignored', key, reason };
  }

  const resolved = await deps.loadConfig();
  const stores = resolved.namespaces.get(namespace)?.itemMetadataStores;
  if (!stores) {
    throw new ValidationFailed(`${key}: namespace '${namespace}' is not in the deployed configuration`);
  }
  if (stores.length === 0) {
    throw new ValidationFailed(
      `${key}: namespace '${namespace}' has no localdb or dynamodb item metadata to import into`,
    );
  }

  const results: Extract<LoadItemMetadataResult, { status: 'imported' }>['stores'] = [];
  for (const config of stores) {
    const report = await deps.importItems({
      namespace,
      config,
      source: await openObject(deps.s3, bucket, key),
      clients: { s3: deps.s3, dynamodb: deps.dynamodb },
      stagingBucket: deps.stagingBucket,
      logger: deps.logger,
    });
    if (report.skippedCount > 0) {
      deps.logger.warn('lines skipped during import', {
        key,
        store: config.type,
        skipped: report.skippedCount,
        first: report.skipped.slice(0, 10),
      });
    }
    results.push({
      type: config.type,
      location: report.location,
      imported: report.imported,
      skipped: report.skippedCount,
      ...(report.purged === undefined ? {} : { purged: report.purged }),
    });
  }
  deps.logger.info('item metadata imported', { key, namespace, stores: results });
  return { status: 'imported', namespace, key, stores: results };
}
