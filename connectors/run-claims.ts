/**
 * One message per user per run: a user who appears more than once in a run's batch output is sent
 * once, with the record of their **last** occurrence — the last line of the last part file in name
 * (S3 key) order — as if the later line replaced the earlier one. Part files are processed in any
 * order and in parallel, so each occurrence claims its user under an ordinal that sorts like that
 * order (`<part order><10-digit line>`); the claim store keeps the highest per user. An occurrence
 * whose claim is beaten by an existing, later one is dropped at once; one that beats an earlier claim
 * reports it as superseded, and the earlier occurrence's output line (if it had been written) is
 * removed before anything is published or delivered. Nothing holds the run's users in memory: the
 * claims live in an LMDB file in the run's scratch folder (locally, shared by the worker threads) or in
 * DynamoDB (in the cloud, see dynamodb-tables.ts).
 */
import { open, type RootDatabase } from 'lmdb';

export interface ClaimResult {
  /** Users a later occurrence has already claimed: drop this occurrence. */
  lost: Set<string>;
  /** `[user, ordinal]` of earlier occurrences this claim replaced: their output lines must go. */
  superseded: Array<[string, string]>;
}

export interface RunClaims {
  /** Claims each user for its occurrence (one entry per user); a retried part re-claims its own ordinals. */
  claim(entries: ReadonlyArray<readonly [user: string, ordinal: string]>): Promise<ClaimResult>;
  close(): Promise<void>;
}

const LINE_DIGITS = 10;

/** The ordinal of line `line` of the part file whose order prefix is `order`. */
export function ordinalOf(order: string, line: number): string {
  return `${order}${String(line).padStart(LINE_DIGITS, '0')}`;
}

/** `[order prefix, line]` of an ordinal. */
export function splitOrdinal(ordinal: string): [string, number] {
  return [ordinal.slice(0, -LINE_DIGITS), Number(ordinal.slice(-LINE_DIGITS))];
}

/** The order prefix of the `index`-th part file of a local run (files sorted by name). */
export function localPartOrder(index: number): string {
  return `${String(index).padStart(6, '0')}:`;
}

/**
 * @example
 * const claims = openLocalRunClaims(join(scratch, 'claims.mdb')); // any worker thread may open it
 * const { lost, superseded } = await claims.claim([['u1', ordinalOf(localPartOrder(0), 12)]]);
 */
export function openLocalRunClaims(path: string): RunClaims {
  // A scratch file thrown away after the run: no syncing to disk.
  const db: RootDatabase<string, string> = open({
    path,
    noSubdir: true,
    encoding: 'string',
    compression: false,
    noSync: true,
  });
  return {
    async claim(entries) {
      const lost = new Set<string>();
      const superseded: Array<[string, string]> = [];
      // One write transaction: the read and the write of each claim are atomic against other threads.
      db.transactionSync(() => {
        for (const [user, ordinal] of entries) {
          const held = db.get(user);
          if (held === undefined || held < ordinal) {
            db.putSync(user, ordinal);
            if (held !== undefined) superseded.push([user, held]);
          } else if (held > ordinal) lost.add(user);
        }
      });
      return { lost, superseded };
    },
    close: () => db.close(),
  };
}
