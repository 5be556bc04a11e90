/**
 * The local run's processing step: the core over a share of the part files, writing each part file's
 * output and signatures files (and the share's error file) into the run's scratch folder. Everything
 * it needs is named by path (files, LMDB stores), so the same function runs in the calling thread or,
 * one share per CPU, in worker threads (local-parts-worker.mjs → .ts): part files are independent, as
 * on the cloud's Distributed Map, LMDB files are readable from any thread, and the run's user claims
 * (run-claims.ts) are one LMDB file every thread writes to.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LocaldbStore } from '../data-plane/item-metadata/localdb-store.ts';
import type { ItemMetadataStore } from '../data-plane/item-metadata/types.ts';
import { formattersFor } from './destinations/index.ts';
import { ConnectorError, JobConfigError, JobInputError } from './errors.ts';
import { createFileSink, type FileSink } from './file-sink.ts';
import { createItemDecorator } from './item-decorator.ts';
import { type ConnectorName, declaredConnectors, type JobConfig, type JobType } from './job-config.ts';
import { addStats, emptyStats, type PipelineStats, processPartFiles } from './pipeline.ts';
import { localPartOrder, openLocalRunClaims } from './run-claims.ts';
import { openLocalSyncState } from './sync-state.ts';
import { openLocalUserIndex } from './user-index.ts';

export interface PartsSpec {
  jobType: JobType;
  config: JobConfig;
  /** The share's part files, each with its place in the run's sorted list of part files. */
  files: Array<{ path: string; index: number }>;
  /** The localdb file to decorate from; none leaves items undecorated (or `items` is passed in). */
  itemsPath?: string;
  /** Related items: the built user index. */
  indexPath?: string;
  /** Per connector, the sync-state file to compare with (absent: every user is sent). */
  statePaths?: Partial<Record<ConnectorName, string>>;
  /** The run's user claims (run-claims.ts), shared by every share. */
  claimsPath: string;
  scratch: string;
  /** Names this share's files. */
  share: number;
}

export interface ShareFile {
  path: string;
  bytes: number;
}

/** One part file's output for a connector, and the signatures of the users in it. */
export type PartOutput = ShareFile & { signatures: string };

export interface PartsResult {
  stats: PipelineStats;
  /** Per part file (by its index in the run), per connector. */
  parts: Array<{ index: number; outputs: Partial<Record<ConnectorName, PartOutput>> }>;
  errors?: ShareFile;
  /** Earlier occurrences of users that a later one replaced (`[user, ordinal]`, see run-claims.ts). */
  superseded: Array<[string, string]>;
}

/** Runs one share in this thread. `items` overrides `itemsPath` (a DynamoDB store cannot cross threads). */
export async function processLocalParts(spec: PartsSpec, items?: ItemMetadataStore): Promise<PartsResult> {
  const connectors = declaredConnectors(spec.config);
  const store = items ?? (spec.itemsPath ? new LocaldbStore(spec.itemsPath) : undefined);
  const users = spec.indexPath ? openLocalUserIndex(spec.indexPath) : undefined;
  const state = spec.statePaths ? openLocalSyncState((c) => spec.statePaths?.[c] ?? '') : undefined;
  const claims = openLocalRunClaims(spec.claimsPath);
  const decorator = createItemDecorator(store);
  const formatters = formattersFor(spec.config);
  const errors = spec.config.saveBatchInferenceErrors
    ? createFileSink(join(spec.scratch, `errors-${spec.share}.jsonl`))
    : undefined;
  const result: PartsResult = { stats: emptyStats(), parts: [], superseded: [] };
  const open: FileSink[] = errors ? [errors] : [];
  try {
    // One output file per part file, as in the cloud: a replaced occurrence is removed from its part's file.
    for (const file of spec.files) {
      const sinks = new Map<ConnectorName, FileSink>();
      const signatures = new Map<ConnectorName, FileSink>();
      for (const c of connectors) {
        sinks.set(c, createFileSink(join(spec.scratch, `${c}-${file.index}.jsonl`)));
        signatures.set(c, createFileSink(join(spec.scratch, `${c}-${file.index}.signatures`)));
      }
      open.push(...sinks.values(), ...signatures.values());
      const stats = await processPartFiles(
        [
          {
            name: file.path,
            order: localPartOrder(file.index),
            open: async () => createReadStream(file.path),
          },
        ],
        {
          jobType: spec.jobType,
          formatters,
          users,
          items: decorator,
          state,
          outputs: sinks,
          signatures,
          errors,
          claims,
          superseded: (entries) => {
            result.superseded.push(...entries);
          },
        },
      );
      addStats(result.stats, stats);
      const outputs: Partial<Record<ConnectorName, PartOutput>> = {};
      for (const [c, sink] of sinks) {
        await sink.close();
        const sig = signatures.get(c) as FileSink;
        await sig.close();
        outputs[c] = { path: sink.path, bytes: sink.bytes, signatures: sig.path };
      }
      result.parts.push({ index: file.index, outputs });
    }
    if (errors) {
      await errors.close();
      result.errors = { path: errors.path, bytes: errors.bytes };
    }
    return result;
  } finally {
    await Promise.allSettled(open.map((s) => s.close()));
    await users?.close();
    await state?.close();
    await claims.close();
    if (!items) await store?.close?.();
  }
}

/** An error as it crosses the thread boundary, and back into its class. */
type SentError = { name: string; message: string; file?: string; line?: number };

export function sendError(err: unknown): SentError {
  const e = err as Error & { file?: string; line?: number };
  return { name: e.name, message: e.message, file: e.file, line: e.line };
}

function receiveError(sent: SentError): Error {
  if (sent.name === 'JobInputError' && sent.file !== undefined && sent.line !== undefined) {
    return new JobInputError(sent.file, sent.line, sent.message.slice(`${sent.file}: line ${sent.line}: `.length));
  }
  if (sent.name === 'JobConfigError') return new JobConfigError(sent.message);
  const error =
    sent.name.endsWith('Error') && sent.name !== 'Error' ? new ConnectorError(sent.message) : new Error(sent.message);
  return error;
}

/**
 * Splits the part files over `workers` threads (at most one per file) and runs a share in each.
 *
 * @throws the first share's error, in its class (JobInputError keeps its file and line), once every
 *   thread has stopped.
 */
export async function processLocalPartsInWorkers(spec: PartsSpec, workers: number): Promise<PartsResult[]> {
  const n = Math.max(1, Math.min(workers, spec.files.length));
  const shares = Array.from({ length: n }, (_, share) => ({
    ...spec,
    share,
    files: spec.files.filter((_, i) => i % n === share),
  }));
  // Every thread is waited for, even after one fails: the caller removes the scratch folder the
  // others are still writing into as soon as this rejects.
  const settled = await Promise.allSettled(
    shares.map(
      (share) =>
        new Promise<PartsResult>((resolve, reject) => {
          // The .mjs entry registers the TypeScript loader, which worker threads do not inherit.
          const worker = new Worker(new URL('./local-parts-worker.mjs', import.meta.url), {
            workerData: share,
            execArgv: [],
          });
          worker.once('message', (message: { result?: PartsResult; error?: SentError }) => {
            if (message.error) reject(receiveError(message.error));
            else resolve(message.result as PartsResult);
          });
          worker.once('error', reject);
          worker.once('exit', (code) => {
            if (code !== 0) reject(new ConnectorError(`a connectors worker thread stopped with exit code ${code}`));
          });
        }),
    ),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<PartsResult>).value);
}

export function sumStats(results: readonly PartsResult[]): PipelineStats {
  return results.reduce((total, r) => addStats(total, r.stats), emptyStats());
}
