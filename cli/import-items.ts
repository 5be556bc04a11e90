/**
 * `p13n import-items`: loads a JSON-lines catalogue into a namespace's item-metadata store — the local
 * LMDB store under the data folder, a localdb uploaded to a staging bucket, or a DynamoDB table. AWS
 * clients honour `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL_DYNAMODB`, so emulators work.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { importItems } from '../contracts/item-metadata/import-items.ts';
import type { ResolvedNamespace, StoredItemMetadataConfig } from '../schema/resolve-config.ts';
import { ConfigFileError, loadConfigFile } from '../schema/validate-config.ts';
import { boundedClientConfig } from '../shared/bounded-client-config.ts';

const HELP = `Usage: p13n import-items --config FILE --namespace NS --file items.jsonl[.gz] [options]

Loads one item per line (a JSON object with an "id") into the namespace's item-metadata store.
Options:
  --store localdb|dynamodb   store to load (default: the namespace's inferenceItemMetadata type)
  --data-dir DIR             where local stores live (default $P13N_DATA_DIR or data/)
  --staging-bucket BUCKET    localdb: upload to s3://BUCKET/localdbs/NS/ instead of the data folder
Exit status: 0 imported, 1 no valid item or the store failed, 2 bad command line, configuration or file.`;

const envSchema = z.object({
  P13N_DATA_DIR: z.string().trim().min(1).optional().catch(undefined),
  AWS_ENDPOINT_URL: z.url().optional(),
  AWS_ENDPOINT_URL_S3: z.url().optional(),
});

class UsageError extends Error {}

/** The namespace's store configuration: its own, else the first a recommender or variation sets. */
function storeConfigOf(namespace: ResolvedNamespace, store: string | undefined): StoredItemMetadataConfig {
  const configured = namespace.itemMetadataStores;
  if (store === 'localdb' || store === 'dynamodb') {
    return configured.find((c) => c.type === store) ?? { type: store };
  }
  const [first] = configured;
  if (!first) {
    throw new UsageError(`namespace ${namespace.key} has no localdb or dynamodb inferenceItemMetadata; pass --store`);
  }
  return first;
}

export async function run(args: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        namespace: { type: 'string' },
        file: { type: 'string' },
        store: { type: 'string' },
        'data-dir': { type: 'string' },
        'staging-bucket': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    for (const name of ['config', 'namespace', 'file']) {
      if (typeof values[name] !== 'string') throw new UsageError(`--${name} is required`);
    }
    if (values.store !== undefined && values.store !== 'localdb' && values.store !== 'dynamodb') {
      throw new UsageError(`--store must be localdb or dynamodb, not '${values.store}'`);
    }
  } catch (err) {
    console.error(`p13n import-items: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }

  const env = envSchema.safeParse(process.env);
  if (!env.success) {
    const lines = env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    console.error(`p13n import-items: invalid environment: ${lines.join('; ')}`);
    return 2;
  }
  const file = values.file as string;
  const namespaceKey = values.namespace as string;
  let config: StoredItemMetadataConfig;
  try {
    const loaded = await loadConfigFile(values.config as string);
    if (!loaded.ok) {
      for (const e of loaded.errors) console.error(`${e.path}: ${e.message}`);
      throw new UsageError(`${values.config} is not a valid configuration`);
    }
    const namespace = loaded.resolved.namespaces.get(namespaceKey);
    if (!namespace) throw new UsageError(`namespace ${namespaceKey} is not in ${values.config}`);
    config = storeConfigOf(namespace, values.store as string | undefined);
    await access(file).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${file}: ${err.code ?? err.message}`);
    });
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigFileError) {
      console.error(`p13n import-items: ${err.message}`);
      return 2;
    }
    throw err;
  }

  const stagingBucket = values['staging-bucket'] as string | undefined;
  const s3Endpoint = env.data.AWS_ENDPOINT_URL_S3 ?? env.data.AWS_ENDPOINT_URL;
  const clients = {
    dynamodb: config.type === 'dynamodb' ? new DynamoDBClient(boundedClientConfig()) : undefined,
    s3:
      config.type === 'localdb' && stagingBucket
        ? new S3Client({
            ...boundedClientConfig(),
            // Emulators answer on one host, not per-bucket subdomains.
            forcePathStyle: s3Endpoint !== undefined,
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          })
        : undefined,
  };
  try {
    const report = await importItems({
      namespace: namespaceKey,
      config,
      source: createReadStream(file),
      clients,
      stagingBucket,
      dataDir: resolve((values['data-dir'] as string | undefined) ?? env.data.P13N_DATA_DIR ?? 'data'),
    });
    for (const bad of report.skipped) console.error(`${file}: line ${bad.line}: ${bad.reason}`);
    if (report.skippedCount > report.skipped.length) {
      console.error(`${file}: … and ${report.skippedCount - report.skipped.length} more rejected lines`);
    }
    if (report.imported === 0) {
      console.error(`${file}: no valid item; ${config.type} store for ${namespaceKey} left unchanged`);
      return 1;
    }
    const purged = report.purged === undefined ? '' : `, purged ${report.purged} older`;
    const items = `${report.imported} item${report.imported === 1 ? '' : 's'}`;
    console.log(
      `${namespaceKey}: imported ${items} into ${config.type} ${report.location}` +
        ` (skipped ${report.skippedCount}${purged})`,
    );
    return 0;
  } catch (err) {
    console.error(`p13n import-items: ${(err as Error).message}`);
    return 1;
  } finally {
    clients.dynamodb?.destroy();
    clients.s3?.destroy();
  }
}
