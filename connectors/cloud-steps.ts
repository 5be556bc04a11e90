/**
 * The cores of the connectors state machine's tasks, each a pure function of its input and the AWS
 * clients it is given (the handlers in handlers/ build those once per container):
 * - prepareJob: find and validate the job, locate its inputs, build its catalogue into a localdb object;
 * - indexUserItemMapping (Distributed Map worker): mapping CSV files → the user index table;
 * - processBatch (Distributed Map worker): batch inference part files → the core → output and error parts
 *   (each user claimed for the run, so a user in several parts is sent once: run-claims.ts);
 * - commitBatch (Distributed Map worker, after every part succeeded): output parts → SQS messages
 *   (one destination request each), then their signatures → the sync state table;
 * - cleanupRun (on failure): delete the failed run's output and error parts; the state is untouched.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { importItems } from '../contracts/item-metadata/import-items.ts';
import { decompressed } from '../contracts/item-metadata/json-lines.ts';
import { localdbObjectKey } from '../contracts/item-metadata/localdb-layout.ts';
import { DynamodbItemMetadataStore } from '../data-plane/item-metadata/dynamodb-store.ts';
import { createS3SyncedLocaldb, type S3SyncedLocaldb } from '../data-plane/item-metadata/s3-sync.ts';
import type { ItemMetadataStore } from '../data-plane/item-metadata/types.ts';
import type { Logger as Log } from '../shared/logger.ts';
import type { RetryPolicy } from '../shared/retry.ts';
import {
  type DeliveryMessage,
  type JobPath,
  type PreparedJob,
  parseJobPath,
  type ReadyJob,
  type StartInput,
  type WorkerBatch,
} from '../state-machines/connectors-payload.ts';
import { formattersFor } from './destinations/index.ts';
import type { OutputRecord } from './destinations/types.ts';
import { dynamodbRunClaims, dynamodbSyncState, dynamodbUserIndex, writeUserIndex } from './dynamodb-tables.ts';
import { ConnectorError, JobConfigError } from './errors.ts';
import { createFileSink, type FileSink } from './file-sink.ts';
import { createItemDecorator } from './item-decorator.ts';
import { type ConnectorName, declaredConnectors, type JobConfig, parseJobConfig } from './job-config.ts';
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
  partName,
  supersededDir,
} from './layout.ts';
import {
  isSuperseded,
  readOutputRecords,
  removeSupersededLines,
  type SupersededLines,
  supersededByPart,
} from './output-records.ts';
import { addStats, emptyStats, type PipelineStats, processPartFiles } from './pipeline.ts';
import { deletePrefix, listKeys, openObject, parseS3Url, readText, type S3Location, uploadFile } from './s3-objects.ts';
import { readUserItemMapping } from './user-item-mapping.ts';

export interface CloudDeps {
  s3: S3Client;
  dynamodb: DynamoDBClient;
  sqs?: SQSClient;
  tables: { state: string; index: string };
  /** The bucket holding `etl_jobs/`; batch-output events are matched against its jobs. */
  connectorsBucket?: string;
  /** The staging bucket of the APIs, for `itemMetadata: {type: 'localdb'}`. */
  stagingBucket?: string;
  /** Queue URL per deployed destination. */
  queues: Partial<Record<ConnectorName, string>>;
  maxConcurrency: number;
  /** Part files per Lambda invocation. */
  filesPerBatch: number;
  /** Scratch space (/tmp on Lambda). */
  scratchDir: string;
  now: () => Date;
  logger: Log;
  retry?: Partial<RetryPolicy>;
  /** Catalogue stores kept across invocations of one container. */
  catalogues?: Map<string, S3SyncedLocaldb>;
}

const CONFIG_KEY = /^(.*etl_jobs\/[^/]+\/[^/]+)\/config\.json$/;

/** Largest SQS message body we send (SQS takes 256 KiB; headroom for the attributes). */
const MAX_MESSAGE_BYTES = 240 * 1024;

async function findJobForOutput(deps: CloudDeps, url: string): Promise<JobPath | undefined> {
  if (!deps.connectorsBucket) throw new ConnectorError('P13N_CONNECTORS_BUCKET is needed to match batch output events');
  const bucket = deps.connectorsBucket;
  const matches: JobPath[] = [];
  for (const key of await listKeys(deps.s3, { bucket, prefix: 'etl_jobs/' })) {
    const match = CONFIG_KEY.exec(key);
    if (!match) continue;
    const job = parseJobPath(`s3://${bucket}/${match[1]}/`);
    try {
      const config = parseJobConfig((await readText(deps.s3, bucket, key)) ?? '', `${job.url}${CONFIG_FILE}`);
      if (url.startsWith(batchLocationUrl(job, config))) matches.push(job);
    } catch (err) {
      deps.logger.warn('job configuration skipped', { key, error: (err as Error).message });
    }
  }
  if (matches.length > 1) {
    throw new JobConfigError(
      `${url} is the batchInferencePath of several jobs: ${matches.map((j) => j.url).join(', ')}`,
    );
  }
  return matches[0];
}

function batchLocation(job: JobPath, config: JobConfig): S3Location {
  const path = config.batchInferencePath;
  if (path.startsWith('s3://')) return parseS3Url(path, `${job.url}${CONFIG_FILE}: batchInferencePath`);
  const relative = path.replace(/^\.\//, '');
  return { bucket: job.bucket, prefix: `${job.prefix}${relative.endsWith('/') ? relative : `${relative}/`}` };
}

function batchLocationUrl(job: JobPath, config: JobConfig): string {
  const { bucket, prefix } = batchLocation(job, config);
  return `s3://${bucket}/${prefix}`;
}

/** The object key of a job's catalogue localdb in the connectors bucket. */
export function catalogueNamespace(job: JobPath): string {
  return `connectors/${job.type}/${job.name}`;
}

/**
 * @example
 * await prepareJob({ jobPath: 's3://conn/etl_jobs/user_personalization/weekly/' }, deps)
 * // { status: 'ready', job: {...}, config: {...}, run: { id, partition: 'year=2026/…' }, batch: {...}, … }
 * @throws JobConfigError naming the file when the job cannot run.
 */
export async function prepareJob(input: StartInput, deps: CloudDeps): Promise<PreparedJob> {
  let job: JobPath | undefined;
  if ('jobPath' in input) job = parseJobPath(input.jobPath as string);
  else {
    const { bucket, object } = input.detail;
    const configKey = CONFIG_KEY.exec(object.key);
    job = configKey
      ? parseJobPath(`s3://${bucket.name}/${configKey[1]}/`)
      : await findJobForOutput(deps, `s3://${bucket.name}/${object.key}`);
    if (!job) return { status: 'ignored', reason: `no job reads s3://${bucket.name}/${object.key}` };
  }
  const configUrl = `${job.url}${CONFIG_FILE}`;
  const text = await readText(deps.s3, job.bucket, `${job.prefix}${CONFIG_FILE}`);
  if (text === undefined) throw new JobConfigError(`${configUrl}: no such object`);
  const config = parseJobConfig(text, configUrl);

  const batch = batchLocation(job, config);
  if (!(await listKeys(deps.s3, batch)).some(isPartFile)) {
    throw new JobConfigError(
      `${configUrl}: batchInferencePath: no batch inference output under s3://${batch.bucket}/${batch.prefix}`,
    );
  }
  let mapping: S3Location | undefined;
  if (job.type === 'related_items') {
    mapping = { bucket: job.bucket, prefix: `${job.prefix}${MAPPING_DIR}` };
    if (!(await listKeys(deps.s3, mapping)).some(isCsvFile)) {
      throw new JobConfigError(
        `s3://${mapping.bucket}/${mapping.prefix}: a related_items job needs user-item mapping CSV files`,
      );
    }
  }
  const catalogueKey = config.itemMetadata ? undefined : await buildCatalogue(job, deps);
  const started = deps.now();
  return {
    status: 'ready',
    job,
    config,
    jobType: job.type,
    run: {
      id: `${started.getTime()}-${randomUUID().slice(0, 8)}`,
      partition: partitionOf(started),
      startedAt: started.toISOString(),
    },
    batch,
    mapping,
    catalogueKey,
    maxConcurrency: deps.maxConcurrency,
    filesPerBatch: deps.filesPerBatch,
  };
}

async function buildCatalogue(job: JobPath, deps: CloudDeps): Promise<string | undefined> {
  const keys = (await listKeys(deps.s3, { bucket: job.bucket, prefix: `${job.prefix}${ITEM_METADATA_DIR}` })).filter(
    isJsonLinesFile,
  );
  if (keys.length === 0) return undefined;
  const source = Readable.from(
    (async function* () {
      for (const key of keys) {
        const body = await openObject(deps.s3, job.bucket, key);
        if (body) yield* decompressed(body);
        yield Buffer.from('\n');
      }
    })(),
  );
  const namespace = catalogueNamespace(job);
  const report = await importItems({
    namespace,
    config: { type: 'localdb' },
    source,
    clients: { s3: deps.s3 },
    stagingBucket: job.bucket,
    dataDir: deps.scratchDir,
    logger: deps.logger,
  });
  if (report.skippedCount > 0)
    deps.logger.warn('catalogue lines skipped', { job: job.url, skipped: report.skipped.slice(0, 5) });
  return report.imported > 0 ? localdbObjectKey(namespace) : undefined;
}

function ready(batch: WorkerBatch): ReadyJob {
  const job = batch.BatchInput.job;
  if (job.status !== 'ready') throw new ConnectorError('a worker received a job that is not ready');
  return job;
}

/** Distributed Map worker: mapping CSV files into the user index table. */
export async function indexUserItemMapping(
  batch: WorkerBatch,
  deps: CloudDeps,
): Promise<{ files: number; pairs: number }> {
  const job = ready(batch);
  let pairs = 0;
  let files = 0;
  for (const { Key } of batch.Items) {
    if (!isCsvFile(Key)) continue;
    const body = await openObject(deps.s3, job.job.bucket, Key);
    if (!body) continue;
    files++;
    for await (const chunk of readUserItemMapping(body, `s3://${job.job.bucket}/${Key}`)) {
      await writeUserIndex(
        { client: deps.dynamodb, tableName: deps.tables.index, retry: deps.retry },
        job.job.url,
        job.run.id,
        chunk,
        Math.floor(deps.now().getTime() / 1000),
      );
      pairs += chunk.length;
    }
  }
  return { files, pairs };
}

async function openItems(job: ReadyJob, deps: CloudDeps): Promise<ItemMetadataStore | undefined> {
  const source = job.config.itemMetadata;
  if (source?.type === 'dynamodb') {
    return new DynamodbItemMetadataStore({
      client: deps.dynamodb,
      namespace: source.namespace,
      config: source,
      retry: deps.retry,
    });
  }
  let bucket: string;
  let namespace: string;
  if (source?.type === 'localdb') {
    if (!deps.stagingBucket) throw new ConnectorError('P13N_STAGING_BUCKET is needed for itemMetadata type localdb');
    bucket = deps.stagingBucket;
    namespace = source.namespace;
  } else if (job.catalogueKey) {
    bucket = job.job.bucket;
    namespace = catalogueNamespace(job.job);
  } else return undefined;
  deps.catalogues ??= new Map();
  const cache = deps.catalogues;
  const cacheKey = `${bucket}/${namespace}`;
  let store = cache.get(cacheKey);
  if (!store) {
    store = createS3SyncedLocaldb({
      s3: deps.s3,
      bucket,
      namespace,
      dataDir: deps.scratchDir,
      syncInterval: 3600,
      logger: deps.logger,
    });
    cache.set(cacheKey, store);
  }
  // A new run may have rebuilt the catalogue: check its ETag before decorating.
  await store.sync();
  return store;
}

/** Distributed Map worker: the core over a batch of part files, each giving one output part per connector. */
export async function processBatch(batch: WorkerBatch, deps: CloudDeps): Promise<PipelineStats> {
  const job = ready(batch);
  const { bucket, prefix } = job.job;
  const connectors = declaredConnectors(job.config);
  const items = createItemDecorator(await openItems(job, deps));
  const users =
    job.jobType === 'related_items'
      ? dynamodbUserIndex(
          { client: deps.dynamodb, tableName: deps.tables.index, retry: deps.retry },
          job.job.url,
          job.run.id,
        )
      : undefined;
  const state = job.config.performDeltaCheck
    ? dynamodbSyncState({ client: deps.dynamodb, tableName: deps.tables.state, retry: deps.retry }, job.job.url)
    : undefined;
  const claims = dynamodbRunClaims(
    { client: deps.dynamodb, tableName: deps.tables.index, retry: deps.retry },
    job.job.url,
    job.run.id,
    Math.floor(deps.now().getTime() / 1000),
  );
  const total = emptyStats();
  const scratch = await mkdtemp(join(deps.scratchDir, 'part-'));
  try {
    for (const { Key } of batch.Items) {
      if (!isPartFile(Key)) continue;
      const part = partName(`s3://${job.batch.bucket}/${Key}`);
      // Ordinals sort as S3 lists the keys (see run-claims.ts).
      const order = `${Key}\n`;
      const superseded: Array<[string, string]> = [];
      const sinks = new Map<ConnectorName, FileSink>(
        connectors.map((c) => [c, createFileSink(join(scratch, `${c}-${part}`))]),
      );
      const errors = job.config.saveBatchInferenceErrors ? createFileSink(join(scratch, `errors-${part}`)) : undefined;
      try {
        const stats = await processPartFiles(
          [
            {
              name: `s3://${job.batch.bucket}/${Key}`,
              order,
              open: async () => {
                const body = await openObject(deps.s3, job.batch.bucket, Key);
                if (!body) throw new ConnectorError(`s3://${job.batch.bucket}/${Key}: no such object`);
                return body;
              },
            },
          ],
          {
            jobType: job.jobType,
            formatters: formattersFor(job.config),
            users,
            items,
            state,
            outputs: sinks,
            errors,
            claims,
            superseded: (entries) => {
              superseded.push(...entries);
            },
          },
        );
        addStats(total, stats);
        const byPart = supersededByPart(superseded);
        // This part's own earlier lines go now; other parts' lines are noted for their commit.
        const own = byPart.get(order);
        byPart.delete(order);
        for (const [connector, sink] of sinks) {
          await sink.close();
          const bytes = own && sink.bytes > 0 ? (await removeSupersededLines(sink.path, own)).bytes : sink.bytes;
          if (bytes > 0)
            await uploadFile(deps.s3, bucket, `${prefix}${outputDir(connector, job.run.partition)}${part}`, sink.path);
        }
        for (const [loserOrder, lines] of byPart) {
          const loser = partName(`s3://${job.batch.bucket}/${loserOrder.slice(0, -1)}`);
          const file = join(scratch, `superseded-${loser}`);
          const text = [...lines].map(([userId, set]) => `${JSON.stringify({ userId, lines: [...set] })}\n`).join('');
          await writeFile(file, text);
          await uploadFile(deps.s3, bucket, `${prefix}${supersededDir(job.run.partition, loser)}${part}`, file);
        }
        if (errors) {
          await errors.close();
          if (errors.bytes > 0)
            await uploadFile(deps.s3, bucket, `${prefix}${errorsDir(job.run.partition)}${part}`, errors.path);
        }
      } finally {
        await Promise.allSettled([...sinks.values(), ...(errors ? [errors] : [])].map((s) => s.close()));
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return total;
}

/** Records per SQS message: one destination request each, fewer when the records are large. */
function messagesOf(head: Omit<DeliveryMessage, 'records'>, records: OutputRecord[]): string[] {
  const body = JSON.stringify({ ...head, records } satisfies DeliveryMessage);
  if (Buffer.byteLength(body) <= MAX_MESSAGE_BYTES || records.length === 1) return [body];
  const half = Math.ceil(records.length / 2);
  return [...messagesOf(head, records.slice(0, half)), ...messagesOf(head, records.slice(half))];
}

async function enqueue(deps: CloudDeps, queueUrl: string, bodies: string[]): Promise<void> {
  const sqs = deps.sqs;
  if (!sqs) throw new ConnectorError('an SQS client is needed to enqueue deliveries');
  let entries: Array<{ Id: string; MessageBody: string }> = [];
  let bytes = 0;
  const flush = async () => {
    let pending = entries;
    entries = [];
    bytes = 0;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= 5)
        throw new ConnectorError(
          `${queueUrl}: ${pending.length} messages refused: ${JSON.stringify(pending.map((p) => p.Id))}`,
        );
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
      const failed = new Set((out.Failed ?? []).map((f) => f.Id));
      pending = pending.filter((e) => failed.has(e.Id));
    }
  };
  for (const body of bodies) {
    const size = Buffer.byteLength(body);
    if (entries.length === 10 || bytes + size > 256 * 1024) await flush();
    entries.push({ Id: String(entries.length), MessageBody: body });
    bytes += size;
  }
  await flush();
}

/**
 * Distributed Map worker, run once every part succeeded: each output part of the batch, less the lines
 * other parts' later occurrences of a user replaced (run-claims.ts), becomes SQS messages for its
 * destination, then its signatures become the sync state. Enqueue before commit: a
 * failure in between sends some users twice on the next run, never loses one.
 */
export async function commitBatch(
  batch: WorkerBatch,
  deps: CloudDeps,
): Promise<{ enqueued: Partial<Record<ConnectorName, number>> }> {
  const job = ready(batch);
  const { bucket, prefix, url } = job.job;
  const state = dynamodbSyncState({ client: deps.dynamodb, tableName: deps.tables.state, retry: deps.retry }, url);
  const enqueued: Partial<Record<ConnectorName, number>> = {};
  for (const connector of declaredConnectors(job.config)) {
    const queueUrl = deps.queues[connector];
    if (!queueUrl) throw new ConnectorError(`the ${connector} destination is not deployed (no queue for it)`);
    const perRequest = connector === 'braze' ? 75 : (job.config.connectors.webhook?.usersPerRequest ?? 100);
    for (const { Key } of batch.Items) {
      if (!isPartFile(Key)) continue;
      const part = partName(`s3://${job.batch.bucket}/${Key}`);
      const key = `${prefix}${outputDir(connector, job.run.partition)}${part}`;
      const body = await openObject(deps.s3, bucket, key);
      if (!body) continue;
      const drop = await supersededLinesOf(deps, bucket, `${prefix}${supersededDir(job.run.partition, part)}`);
      for await (const all of readOutputRecords(body, `s3://${bucket}/${key}`, perRequest * 10)) {
        const records: OutputRecord[] = [];
        for (const { userId, signature, record, line } of all) {
          if (!isSuperseded({ userId, signature, record, line }, drop)) records.push({ userId, signature, record });
        }
        if (records.length === 0) continue;
        const bodies: string[] = [];
        for (let i = 0; i < records.length; i += perRequest) {
          const head = {
            connector,
            stateKey: url,
            url: connector === 'webhook' ? job.config.connectors.webhook?.url : undefined,
          };
          bodies.push(...messagesOf(head, records.slice(i, i + perRequest)));
        }
        await enqueue(deps, queueUrl, bodies);
        await state.commit(
          connector,
          (async function* () {
            yield records.map((r) => [r.userId, r.signature] as [string, string]);
          })(),
        );
        enqueued[connector] = (enqueued[connector] ?? 0) + records.length;
      }
    }
  }
  return { enqueued };
}

/** The lines other parts replaced in one output part, from the notes they wrote (usually none). */
async function supersededLinesOf(
  deps: CloudDeps,
  bucket: string,
  prefix: string,
): Promise<SupersededLines | undefined> {
  const keys = await listKeys(deps.s3, { bucket, prefix });
  if (keys.length === 0) return undefined;
  const drop: SupersededLines = new Map();
  for (const key of keys) {
    for (const text of ((await readText(deps.s3, bucket, key)) ?? '').split('\n')) {
      if (!text) continue;
      const { userId, lines } = JSON.parse(text) as { userId: string; lines: number[] };
      const set = drop.get(userId) ?? new Set<number>();
      drop.set(userId, set);
      for (const line of lines) set.add(line);
    }
  }
  return drop;
}

/** On a failed run: delete what it wrote, so only successful runs leave output behind. */
export async function cleanupRun(job: PreparedJob, deps: CloudDeps): Promise<{ deleted: number }> {
  if (job.status !== 'ready') return { deleted: 0 };
  const { bucket, prefix } = job.job;
  let deleted = 0;
  const prefixes = [
    ...declaredConnectors(job.config).map((c) => outputDir(c, job.run.partition)),
    errorsDir(job.run.partition),
    supersededDir(job.run.partition),
  ];
  for (const dir of prefixes) deleted += await deletePrefix(deps.s3, { bucket, prefix: `${prefix}${dir}` });
  return { deleted };
}
