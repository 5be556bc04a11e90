/**
 * The connectors' core, the same locally and on a Lambda worker of the Distributed Map: stream batch
 * inference part files, split off the records the job could not answer, attribute each answer to its
 * users (user personalization: `input.userId`; related items: the users mapped to `input.itemId`),
 * keep each user's last occurrence in the run (run-claims.ts), decorate the items, build each
 * connector's record, drop users whose record did not change since the last sync, and write the rest as
 * output lines. It writes no sync state: that is committed from the output once the whole run succeeded.
 */
import { parseBatchLine, type Recommendation } from './batch-output.ts';
import type { RecordFormatter } from './destinations/types.ts';
import { JobConfigError } from './errors.ts';
import type { ItemDecorator } from './item-decorator.ts';
import type { ConnectorName, JobType } from './job-config.ts';
import { readLines } from './lines.ts';
import { ordinalOf, type RunClaims } from './run-claims.ts';
import type { SyncStateStore } from './sync-state.ts';
import type { UserIndex } from './user-index.ts';

export interface PartFile {
  /** Shown in errors (a path or an s3:// URL). */
  name: string;
  /** Sorts like the part files' order, for the last occurrence of a user to win (see run-claims.ts). */
  order: string;
  open(): Promise<AsyncIterable<Buffer>>;
}

/** Where lines go; `write` resolves when the sink can take more. */
export interface LineSink {
  write(text: string): Promise<void>;
}

export interface PipelineDeps {
  jobType: JobType;
  formatters: readonly RecordFormatter[];
  /** Required for related items. */
  users?: UserIndex;
  items: ItemDecorator;
  /** The last sync state; without it (performDeltaCheck false) every user is sent. */
  state?: SyncStateStore;
  outputs: ReadonlyMap<ConnectorName, LineSink>;
  /** Optional per connector: `<signature>"<userId>"` lines of the users written, for a cheap state commit. */
  signatures?: ReadonlyMap<ConnectorName, LineSink>;
  /** Failed records go here when saveBatchInferenceErrors is on. */
  errors?: LineSink;
  /** Who holds each user in this run; without it a user appearing twice is sent twice. */
  claims?: RunClaims;
  /** Earlier occurrences a later one replaced (`[user, ordinal]`): the caller removes their output lines. */
  superseded?(entries: Array<[string, string]>): void | Promise<void>;
}

export interface PipelineStats {
  /** Batch inference records read (answered or not). */
  records: number;
  /** Records the batch job did not answer (an error or no recommendations). */
  failed: number;
  /** Related items: answered items no user is mapped to. */
  unmapped: number;
  /** User records built (per connector). */
  users: number;
  /** Occurrences of a user dropped because the same user appears later in the run's batch output. */
  duplicates: number;
  sent: Partial<Record<ConnectorName, number>>;
  unchanged: Partial<Record<ConnectorName, number>>;
}

export function emptyStats(): PipelineStats {
  return { records: 0, failed: 0, unmapped: 0, users: 0, duplicates: 0, sent: {}, unchanged: {} };
}

export function addStats(into: PipelineStats, from: PipelineStats): PipelineStats {
  into.records += from.records;
  into.failed += from.failed;
  into.unmapped += from.unmapped;
  into.users += from.users;
  into.duplicates += from.duplicates;
  for (const key of ['sent', 'unchanged'] as const) {
    for (const [connector, n] of Object.entries(from[key]) as Array<[ConnectorName, number]>) {
      into[key][connector] = (into[key][connector] ?? 0) + n;
    }
  }
  return into;
}

/**
 * @example
 * const stats = await processPartFiles([{ name: 'out/part-0.out', open: async () => createReadStream(path) }], deps);
 * // { records: 1000, failed: 2, users: 998, sent: { braze: 120 }, unchanged: { braze: 878 }, unmapped: 0 }
 * @throws JobInputError (file and line) on a malformed record; the caller discards the run's output.
 */
export async function processPartFiles(
  files: Iterable<PartFile> | AsyncIterable<PartFile>,
  deps: PipelineDeps,
): Promise<PipelineStats> {
  if (deps.jobType === 'related_items' && !deps.users) {
    throw new JobConfigError('a related_items job needs its user-item mapping (input/user_item_mapping/*.csv)');
  }
  const stats = emptyStats();
  for await (const file of files) {
    for await (const { first, lines } of readLines(await file.open(), file.name)) {
      await processLines(file, first, lines, deps, stats);
    }
  }
  return stats;
}

async function processLines(
  part: PartFile,
  first: number,
  lines: readonly string[],
  deps: PipelineDeps,
  stats: PipelineStats,
): Promise<void> {
  const file = part.name;
  const recs: Recommendation[] = [];
  /** Line number of each answered record. */
  const recLines: number[] = [];
  let errors = '';
  for (let i = 0; i < lines.length; i++) {
    const parsed = parseBatchLine(lines[i] as string, deps.jobType, file, first + i);
    if (!parsed) continue;
    stats.records++;
    if ('ok' in parsed) {
      recs.push(parsed.ok);
      recLines.push(first + i);
    } else {
      stats.failed++;
      if (deps.errors) {
        errors += `${JSON.stringify({ file, line: first + i, reason: parsed.failed.reason, record: parsed.failed.raw })}\n`;
      }
    }
  }
  if (errors && deps.errors) await deps.errors.write(errors);
  if (recs.length === 0) return;

  // Who receives each answer (and from which line).
  let targets: Array<[string, Recommendation, number]> = [];
  if (deps.jobType === 'user_personalization') {
    recs.forEach((rec, r) => {
      targets.push([rec.key, rec, recLines[r] as number]);
    });
  } else {
    const usersByItem = await (deps.users as UserIndex).usersOf(recs.map((r) => r.key));
    for (let r = 0; r < recs.length; r++) {
      const rec = recs[r] as Recommendation;
      const users = usersByItem.get(rec.key);
      if (!users) stats.unmapped++;
      else for (const user of users) targets.push([user, rec, recLines[r] as number]);
    }
  }
  if (targets.length === 0) return;
  if (deps.claims) targets = await claimed(part, targets, deps, stats);
  if (targets.length === 0) return;
  stats.users += targets.length;

  const metadata = await deps.items.lookup(recs.map((rec) => rec.items));
  const userIds = targets.map(([user]) => user);

  for (const formatter of deps.formatters) {
    const connector = formatter.connector;
    const previous = deps.state ? await deps.state.signatures(connector, userIds) : undefined;
    let out = '';
    let sigs = '';
    let sent = 0;
    for (const [user, rec, line] of targets) {
      const { json, signature: sig } = formatter.record(user, { ids: rec.items, scores: rec.scores, metadata });
      if (previous?.get(user) === sig) continue;
      const userJson = JSON.stringify(user);
      out += `{"userId":${userJson},"signature":"${sig}","line":${line},"record":${json}}\n`;
      sigs += `${sig}${userJson}\n`;
      sent++;
    }
    stats.sent[connector] = (stats.sent[connector] ?? 0) + sent;
    stats.unchanged[connector] = (stats.unchanged[connector] ?? 0) + targets.length - sent;
    if (out) await (deps.outputs.get(connector) as LineSink).write(out);
    if (sigs) await deps.signatures?.get(connector)?.write(sigs);
  }
}

/**
 * The targets this batch sends: within the batch a user's last line wins; then each user is claimed
 * for the run, dropping those a later part file or line already holds and reporting the earlier
 * occurrences this batch replaced.
 */
async function claimed(
  part: PartFile,
  targets: Array<[string, Recommendation, number]>,
  deps: PipelineDeps,
  stats: PipelineStats,
): Promise<Array<[string, Recommendation, number]>> {
  const last = new Map<string, number>();
  for (let t = 0; t < targets.length; t++) last.set((targets[t] as [string, Recommendation, number])[0], t);
  let unique = targets;
  if (last.size < targets.length) {
    stats.duplicates += targets.length - last.size;
    unique = targets.filter(([user], t) => last.get(user) === t);
  }
  const { lost, superseded } = await (deps.claims as RunClaims).claim(
    unique.map(([user, , line]) => [user, ordinalOf(part.order, line)] as const),
  );
  if (superseded.length > 0) {
    stats.duplicates += superseded.length;
    await deps.superseded?.(superseded);
  }
  if (lost.size === 0) return unique;
  stats.duplicates += lost.size;
  return unique.filter(([user]) => !lost.has(user));
}
