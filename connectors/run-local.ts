/**
 * A whole connector run over a local job folder laid out like the S3 one (`p13n connectors run`):
 * validate the configuration, build the item → users index (related items) and the job's catalogue,
 * run the core over the batch output, and only when all of it succeeded publish the output files and
 * commit the new sync state. Optionally deliver the output to the destinations afterwards; users a
 * destination refuses are written to `rejected.jsonl` beside the output and dropped from the state,
 * so the next run sends them again.
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamodbItemMetadataStore } from '../data-plane/item-metadata/dynamodb-store.ts';
import { importItems } from '../data-plane/item-metadata/import/import-items.ts';
import { decompressed } from '../data-plane/item-metadata/import/json-lines.ts';
import { localdbDir, readManifest } from '../data-plane/item-metadata/localdb-layout.ts';
import { LocaldbStore } from '../data-plane/item-metadata/localdb-store.ts';
import { createItemMetadataStores } from '../data-plane/item-metadata/stores.ts';
import type { ItemMetadataLogger, ItemMetadataStore } from '../data-plane/item-metadata/types.ts';
import { type DeliveryReport, deliverRecords } from './deliver.ts';
import { formattersFor } from './destinations/index.ts';
import type { DestinationSender } from './destinations/types.ts';
import { JobConfigError } from './errors.ts';
import { createFileSink, type FileSink } from './file-sink.ts';
import { createItemDecorator } from './item-decorator.ts';
import {
  type ConnectorName,
  declaredConnectors,
  type JobConfig,
  type JobType,
  jobIdentity,
  parseJobConfig,
} from './job-config.ts';
import {
  CONFIG_FILE,
  errorsDir,
  ITEM_METADATA_DIR,
  isCsvFile,
  isJsonLinesFile,
  isPartFile,
  MAPPING_DIR,
  outputDir,
  partitionOf,
} from './layout.ts';
import { readOutputRecords, readSignatures } from './output-records.ts';
import { type PartFile, type PipelineStats, processPartFiles } from './pipeline.ts';
import { openLocalSyncState, type SyncStateStore } from './sync-state.ts';
import { buildLocalUserIndex, type UserIndex } from './user-index.ts';
import { readUserItemMapping } from './user-item-mapping.ts';

export interface LocalRunOptions {
  jobDir: string;
  /** Where namespace item-metadata stores live, for `itemMetadata: {type: 'localdb'}` (default `data`). */
  dataDir?: string;
  clients?: { dynamodb?: DynamoDBClient };
  /** Deliver the output after the run: one sender per connector to deliver. */
  senders?: Partial<Record<ConnectorName, DestinationSender>>;
  /** Requests in flight per connector while delivering (default 8). */
  deliveryConcurrency?: number;
  now?: () => Date;
  logger?: ItemMetadataLogger;
}

export interface LocalRunReport {
  job: { type: JobType; name: string };
  partition: string;
  stats: PipelineStats;
  /** Output file per connector (absent when nobody changed). */
  outputs: Partial<Record<ConnectorName, string>>;
  errorsFile?: string;
  delivery: Partial<Record<ConnectorName, DeliveryReport & { rejectedFile?: string }>>;
}

const QUIET: ItemMetadataLogger = { info() {}, warn() {}, error() {} };

/** Files of a folder (sorted) that pass `keep`; none when the folder does not exist. */
async function filesIn(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  return names
    .filter(keep)
    .sort()
    .map((name) => join(dir, name));
}

export async function loadLocalJobConfig(jobDir: string): Promise<JobConfig> {
  const file = join(jobDir, CONFIG_FILE);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new JobConfigError(`${file}: cannot read the job configuration (${err.code ?? err.message})`);
  });
  return parseJobConfig(text, file);
}

async function batchFiles(jobDir: string, config: JobConfig): Promise<PartFile[]> {
  if (config.batchInferencePath.startsWith('s3://')) {
    throw new JobConfigError(
      `${join(jobDir, CONFIG_FILE)}: batchInferencePath: a local run reads a folder, not ${config.batchInferencePath} ` +
        '(download it, or run the job in the cloud with `p13n connectors start`)',
    );
  }
  const path = resolve(jobDir, config.batchInferencePath);
  const info = await stat(path).catch(() => {
    throw new JobConfigError(`${join(jobDir, CONFIG_FILE)}: batchInferencePath: ${path} does not exist`);
  });
  const paths = info.isDirectory() ? await filesIn(path, isPartFile) : [path];
  return paths.map((name) => ({ name, open: async () => createReadStream(name) }));
}

async function buildIndex(jobDir: string, scratch: string): Promise<UserIndex> {
  const files = await filesIn(join(jobDir, MAPPING_DIR), isCsvFile);
  if (files.length === 0) {
    throw new JobConfigError(`${join(jobDir, MAPPING_DIR)}: a related_items job needs user-item mapping CSV files`);
  }
  const builder = buildLocalUserIndex(join(scratch, 'user-index.mdb'));
  for (const file of files) {
    for await (const pairs of readUserItemMapping(createReadStream(file), file)) builder.add(pairs);
  }
  return (await builder.finish()).index;
}

/** The job's own catalogue files as one JSON-lines stream (each file gunzipped on its own). */
function catalogueStream(files: readonly string[]): Readable {
  return Readable.from(
    (async function* () {
      for (const file of files) {
        yield* decompressed(createReadStream(file));
        yield Buffer.from('\n');
      }
    })(),
  );
}

async function openItemStore(
  jobDir: string,
  config: JobConfig,
  scratch: string,
  options: LocalRunOptions,
  logger: ItemMetadataLogger,
): Promise<ItemMetadataStore | undefined> {
  const source = config.itemMetadata;
  if (source?.type === 'dynamodb') {
    if (!options.clients?.dynamodb) throw new JobConfigError('itemMetadata: a DynamoDB client is needed');
    return new DynamodbItemMetadataStore({
      client: options.clients.dynamodb,
      namespace: source.namespace,
      config: source,
    });
  }
  if (source?.type === 'localdb') {
    const dataDir = resolve(options.dataDir ?? 'data');
    if (!(await readManifest(localdbDir(dataDir, source.namespace)))) {
      throw new JobConfigError(
        `itemMetadata: no localdb store for namespace '${source.namespace}' under ${dataDir} (run p13n import-items first)`,
      );
    }
    const stores = createItemMetadataStores({ dataDir, clients: {}, logger });
    const store = stores(source.namespace, { type: 'localdb' });
    return store && { getMany: (ids) => store.getMany(ids), close: () => stores.close() };
  }
  const files = await filesIn(join(jobDir, ITEM_METADATA_DIR), isJsonLinesFile);
  if (files.length === 0) return undefined;
  const report = await importItems({
    namespace: 'job',
    config: { type: 'localdb' },
    source: catalogueStream(files),
    clients: {},
    dataDir: scratch,
  });
  if (report.skippedCount > 0) {
    logger.warn('catalogue lines skipped', {
      folder: join(jobDir, ITEM_METADATA_DIR),
      skipped: report.skipped.slice(0, 5),
    });
  }
  const manifest = await readManifest(localdbDir(scratch, 'job'));
  return manifest ? new LocaldbStore(join(localdbDir(scratch, 'job'), manifest.file)) : undefined;
}

/**
 * @example
 * const report = await runLocalJob({ jobDir: 'samples/connectors/etl_jobs/user_personalization/shoppers' });
 * // report.stats.sent.braze === 200 on a first run, 0 on an identical second one
 * @throws JobConfigError | JobInputError; nothing is published and the sync state is left as it was.
 */
export async function runLocalJob(options: LocalRunOptions): Promise<LocalRunReport> {
  const jobDir = resolve(options.jobDir);
  const logger = options.logger ?? QUIET;
  const job = jobIdentity(jobDir);
  const config = await loadLocalJobConfig(jobDir);
  const connectors = declaredConnectors(config);
  const files = await batchFiles(jobDir, config);
  const partition = partitionOf(options.now?.() ?? new Date());

  const scratch = await mkdtemp(join(jobDir, '.run-'));
  const outputDirs = new Map(connectors.map((c) => [c, join(jobDir, outputDir(c, partition))]));
  const errorDir = join(jobDir, errorsDir(partition));
  const sinks = new Map<ConnectorName, FileSink>();
  const signatureSinks = new Map<ConnectorName, FileSink>();
  let errorSink: FileSink | undefined;
  let users: UserIndex | undefined;
  let items: ItemMetadataStore | undefined;
  const state = openLocalSyncState((c) => join(jobDir, 'output', c, 'state', 'sync-state.mdb'));
  try {
    if (job.type === 'related_items') users = await buildIndex(jobDir, scratch);
    items = await openItemStore(jobDir, config, scratch, options, logger);
    for (const dir of [...outputDirs.values(), ...(config.saveBatchInferenceErrors ? [errorDir] : [])]) {
      if (await stat(dir).catch(() => undefined)) throw new JobConfigError(`${dir} already exists: one run per second`);
    }
    // Everything is written in the scratch folder and moved into place only when the run succeeded.
    for (const connector of outputDirs.keys()) {
      sinks.set(connector, createFileSink(join(scratch, `${connector}.jsonl`)));
      signatureSinks.set(connector, createFileSink(join(scratch, `${connector}.signatures`)));
    }
    if (config.saveBatchInferenceErrors) errorSink = createFileSink(join(scratch, 'errors.jsonl'));

    const stats = await processPartFiles(files, {
      jobType: job.type,
      formatters: formattersFor(config),
      users,
      items: createItemDecorator(items),
      state: config.performDeltaCheck ? state : undefined,
      outputs: sinks,
      signatures: signatureSinks,
      errors: errorSink,
    });

    // The run succeeded: publish the files, then commit the signatures they carry.
    const outputs: LocalRunReport['outputs'] = {};
    for (const [connector, sink] of sinks) {
      await sink.close();
      if (sink.bytes > 0) outputs[connector] = await publish(sink.path, outputDirs.get(connector) as string);
    }
    let errorsFile: string | undefined;
    if (errorSink) {
      await errorSink.close();
      errorsFile = await publish(errorSink.path, errorDir);
    }
    for (const [connector, sink] of signatureSinks) {
      await sink.close();
      if (outputs[connector]) await state.commit(connector, readSignatures(createReadStream(sink.path), sink.path));
    }
    const delivery = await deliver(outputs, options, state);
    return { job, partition, stats, outputs, errorsFile, delivery };
  } finally {
    await Promise.allSettled([...sinks.values(), ...signatureSinks.values()].map((s) => s.close()));
    await errorSink?.close().catch(() => undefined);
    await users?.close();
    await items?.close?.();
    await state.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Moves a finished file into its partition folder as its one part. */
async function publish(file: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, 'part-00000.jsonl');
  await rename(file, target);
  return target;
}

async function deliver(
  outputs: LocalRunReport['outputs'],
  options: LocalRunOptions,
  state: SyncStateStore,
): Promise<LocalRunReport['delivery']> {
  const delivery: LocalRunReport['delivery'] = {};
  for (const [connector, file] of Object.entries(outputs) as Array<[ConnectorName, string]>) {
    const sender = options.senders?.[connector];
    if (!sender) continue;
    const rejectedFile = join(file, '..', 'rejected.jsonl');
    const rejectedSink = createFileSink(rejectedFile);
    const report = await deliverRecords(readOutputRecords(createReadStream(file), file, 1_000), sender, {
      concurrency: options.deliveryConcurrency,
      onRejected: async (rejections) => {
        await rejectedSink.write(
          rejections
            .map((r) => `${JSON.stringify({ userId: r.record.userId, reason: r.reason, record: r.record.record })}\n`)
            .join(''),
        );
        await state.forget(
          connector,
          rejections.map((r) => r.record.userId),
        );
      },
    }).finally(() => rejectedSink.close());
    if (report.rejected === 0) await rm(rejectedFile, { force: true });
    delivery[connector] = { ...report, rejectedFile: report.rejected > 0 ? rejectedFile : undefined };
  }
  return delivery;
}
