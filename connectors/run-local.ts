/**
 * A whole connector run over a local job folder laid out like the S3 one (`p13n connectors run`):
 * validate the configuration, build the item → users index (related items) and the job's catalogue,
 * run the core over the batch output (its part files shared over worker threads, see local-parts.ts),
 * and only when all of it succeeded publish the output files and
 * commit the new sync state. Optionally deliver the output to the destinations afterwards; users a
 * destination refuses are written to `rejected.jsonl` beside the output and dropped from the state,
 * so the next run sends them again.
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { importItems } from '../contracts/item-metadata/import-items.ts';
import { decompressed } from '../contracts/item-metadata/json-lines.ts';
import { localdbDir, readManifest } from '../contracts/item-metadata/localdb-layout.ts';
import { DynamodbItemMetadataStore } from '../data-plane/item-metadata/dynamodb-store.ts';
import type { ItemMetadataStore } from '../data-plane/item-metadata/types.ts';
import { type Logger, silentLogger } from '../shared/logger.ts';
import { type DeliveryReport, deliverRecords } from './deliver.ts';
import type { DestinationSender } from './destinations/types.ts';
import { JobConfigError } from './errors.ts';
import { createFileSink } from './file-sink.ts';
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
import {
  type PartOutput,
  type PartsResult,
  type PartsSpec,
  processLocalParts,
  processLocalPartsInWorkers,
  sumStats,
} from './local-parts.ts';
import { readOutputRecords, readSignatures, removeSupersededLines, supersededByPart } from './output-records.ts';
import type { PipelineStats } from './pipeline.ts';
import { localPartOrder } from './run-claims.ts';
import { openLocalSyncState, type SyncStateStore } from './sync-state.ts';
import { buildLocalUserIndex } from './user-index.ts';
import { readUserItemMapping } from './user-item-mapping.ts';

export interface LocalRunOptions {
  jobDir: string;
  /** Where namespace item-metadata stores live, for `itemMetadata: {type: 'localdb'}` (default `data`). */
  dataDir?: string;
  clients?: { dynamodb?: DynamoDBClient };
  /** Deliver the output after the run: one sender per connector to deliver. */
  senders?: Partial<Record<ConnectorName, DestinationSender>>;
  /** Threads sharing the part files (default 1; a DynamoDB item store always runs in one). */
  workers?: number;
  /** Requests in flight per connector while delivering (default 8). */
  deliveryConcurrency?: number;
  now?: () => Date;
  logger?: Logger;
}

export interface LocalRunReport {
  job: { type: JobType; name: string };
  partition: string;
  stats: PipelineStats;
  /** First output part per connector (absent when nobody changed); more parts sit beside it with more workers. */
  outputs: Partial<Record<ConnectorName, string>>;
  errorsFile?: string;
  delivery: Partial<Record<ConnectorName, DeliveryReport & { rejectedFile?: string }>>;
}

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

async function batchFiles(jobDir: string, config: JobConfig): Promise<string[]> {
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
  return info.isDirectory() ? await filesIn(path, isPartFile) : [path];
}

async function buildIndex(jobDir: string, scratch: string): Promise<string> {
  const files = await filesIn(join(jobDir, MAPPING_DIR), isCsvFile);
  if (files.length === 0) {
    throw new JobConfigError(`${join(jobDir, MAPPING_DIR)}: a related_items job needs user-item mapping CSV files`);
  }
  const path = join(scratch, 'user-index.mdb');
  const builder = buildLocalUserIndex(path);
  for (const file of files) {
    for await (const pairs of readUserItemMapping(createReadStream(file), file)) builder.add(pairs);
  }
  await builder.finish();
  return path;
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

/** Where the items come from: a localdb file any thread can open, or (DynamoDB) a store for this thread. */
async function itemSource(
  jobDir: string,
  config: JobConfig,
  scratch: string,
  options: LocalRunOptions,
  logger: Logger,
): Promise<{ path?: string; store?: ItemMetadataStore }> {
  const source = config.itemMetadata;
  if (source?.type === 'dynamodb') {
    if (!options.clients?.dynamodb) throw new JobConfigError('itemMetadata: a DynamoDB client is needed');
    return {
      store: new DynamodbItemMetadataStore({
        client: options.clients.dynamodb,
        namespace: source.namespace,
        config: source,
      }),
    };
  }
  if (source?.type === 'localdb') {
    const dataDir = resolve(options.dataDir ?? 'data');
    const dir = localdbDir(dataDir, source.namespace);
    const manifest = await readManifest(dir);
    if (!manifest) {
      throw new JobConfigError(
        `itemMetadata: no localdb store for namespace '${source.namespace}' under ${dataDir} (run p13n import-items first)`,
      );
    }
    return { path: join(dir, manifest.file) };
  }
  const files = await filesIn(join(jobDir, ITEM_METADATA_DIR), isJsonLinesFile);
  if (files.length === 0) return {};
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
  return manifest ? { path: join(localdbDir(scratch, 'job'), manifest.file) } : {};
}

/**
 * @example
 * const report = await runLocalJob({ jobDir: 'samples/connectors/etl_jobs/user_personalization/shoppers' });
 * // report.stats.sent.braze === 200 on a first run, 0 on an identical second one
 * @throws JobConfigError | JobInputError; nothing is published and the sync state is left as it was.
 */
export async function runLocalJob(options: LocalRunOptions): Promise<LocalRunReport> {
  const jobDir = resolve(options.jobDir);
  const logger = options.logger ?? silentLogger;
  const job = jobIdentity(jobDir);
  const config = await loadLocalJobConfig(jobDir);
  const connectors = declaredConnectors(config);
  const files = await batchFiles(jobDir, config);
  const partition = partitionOf(options.now?.() ?? new Date());
  const outputDirs = new Map(connectors.map((c) => [c, join(jobDir, outputDir(c, partition))]));
  const errorDir = join(jobDir, errorsDir(partition));
  for (const dir of [...outputDirs.values(), ...(config.saveBatchInferenceErrors ? [errorDir] : [])]) {
    if (await stat(dir).catch(() => undefined)) throw new JobConfigError(`${dir} already exists: one run per second`);
  }
  const statePath = (c: ConnectorName) => join(jobDir, 'output', c, 'state', 'sync-state.mdb');

  // Everything is written in the scratch folder and moved into place only when the run succeeded.
  const scratch = await mkdtemp(join(jobDir, '.run-'));
  let items: { path?: string; store?: ItemMetadataStore } = {};
  try {
    const indexPath = job.type === 'related_items' ? await buildIndex(jobDir, scratch) : undefined;
    items = await itemSource(jobDir, config, scratch, options, logger);
    const spec: PartsSpec = {
      jobType: job.type,
      config,
      files: files.map((path, index) => ({ path, index })),
      claimsPath: join(scratch, 'claims.mdb'),
      itemsPath: items.path,
      indexPath,
      statePaths: config.performDeltaCheck ? Object.fromEntries(connectors.map((c) => [c, statePath(c)])) : undefined,
      scratch,
      share: 0,
    };
    const workers = items.store ? 1 : Math.min(options.workers ?? 1, files.length);
    const results =
      workers > 1 ? await processLocalPartsInWorkers(spec, workers) : [await processLocalParts(spec, items.store)];
    const stats = sumStats(results);
    await removeSuperseded(results, stats);

    // The run succeeded: publish the files, then commit the signatures they carry.
    const outputs: LocalRunReport['outputs'] = {};
    const state = openLocalSyncState(statePath);
    try {
      const parts = results.flatMap((r) => r.parts).sort((a, b) => a.index - b.index);
      for (const connector of connectors) {
        const shares = parts.flatMap((p) => (p.outputs[connector]?.bytes ? [p.outputs[connector]] : []));
        if (shares.length === 0) continue;
        const dir = outputDirs.get(connector) as string;
        const published = await Promise.all(shares.map((share, i) => publish(share.path, dir, i)));
        outputs[connector] = published[0];
        for (const share of shares) {
          await state.commit(connector, readSignatures(createReadStream(share.signatures), share.signatures));
        }
      }
      let errorsFile: string | undefined;
      const errorShares = results.flatMap((r) => (r.errors?.bytes ? [r.errors] : []));
      if (config.saveBatchInferenceErrors) {
        errorsFile = (await Promise.all(errorShares.map((share, i) => publish(share.path, errorDir, i))))[0];
      }
      const delivery = await deliver(outputs, outputDirs, options, state);
      return { job, partition, stats, outputs, errorsFile, delivery };
    } finally {
      await state.close();
    }
  } finally {
    await items.store?.close?.();
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * A user twice in the run: removes the output lines of the occurrences a later one replaced, from the
 * part files they came from, and counts them as duplicates rather than sent or unchanged.
 */
async function removeSuperseded(results: readonly PartsResult[], stats: PipelineStats): Promise<void> {
  const all = results.flatMap((r) => r.superseded);
  if (all.length === 0) return;
  const byPart = supersededByPart(all);
  const removed: Partial<Record<ConnectorName, number>> = {};
  for (const part of results.flatMap((r) => r.parts)) {
    const drop = byPart.get(localPartOrder(part.index));
    if (!drop) continue;
    for (const [connector, output] of Object.entries(part.outputs) as Array<[ConnectorName, PartOutput]>) {
      if (!output.bytes) continue;
      const done = await removeSupersededLines(output.path, drop, output.signatures);
      output.bytes = done.bytes;
      removed[connector] = (removed[connector] ?? 0) + done.removed;
    }
  }
  stats.users -= all.length;
  for (const connector of Object.keys(stats.sent) as ConnectorName[]) {
    const gone = removed[connector] ?? 0;
    stats.sent[connector] = (stats.sent[connector] ?? 0) - gone;
    stats.unchanged[connector] = (stats.unchanged[connector] ?? 0) - (all.length - gone);
  }
}

/** Moves a finished share into its partition folder as part number `part`. */
async function publish(file: string, dir: string, part: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, `part-${String(part).padStart(5, '0')}.jsonl`);
  await rename(file, target);
  return target;
}

async function deliver(
  outputs: LocalRunReport['outputs'],
  outputDirs: ReadonlyMap<ConnectorName, string>,
  options: LocalRunOptions,
  state: SyncStateStore,
): Promise<LocalRunReport['delivery']> {
  const delivery: LocalRunReport['delivery'] = {};
  for (const connector of Object.keys(outputs) as ConnectorName[]) {
    const sender = options.senders?.[connector];
    if (!sender) continue;
    const dir = outputDirs.get(connector) as string;
    const parts = (await readdir(dir))
      .filter((name) => /^part-\d+\.jsonl$/.test(name))
      .sort()
      .map((name) => join(dir, name));
    const rejectedFile = join(dir, 'rejected.jsonl');
    const rejectedSink = createFileSink(rejectedFile);
    const records = (async function* () {
      for (const part of parts) yield* readOutputRecords(createReadStream(part), part, 1_000);
    })();
    const report = await deliverRecords(records, sender, {
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
