/**
 * The sync state: per connector and user, the signature (a hash) of the record last sent. The delta
 * check sends a user only when the signature changed, so a change in the list, its order, a score or
 * any sent metadata field counts. Signatures are committed only after a run succeeded, from the run's
 * output files, so a failed run leaves the previous state as it was. Locally the state is an LMDB file
 * per connector; in the cloud a DynamoDB table (see dynamodb-sync-state.ts).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import type { ConnectorName } from './job-config.ts';

export interface SyncStateStore {
  /** The last committed signature of each user that has one. */
  signatures(connector: ConnectorName, userIds: readonly string[]): Promise<Map<string, string>>;
  /** Makes a successful run's signatures current; returns how many were written. */
  commit(connector: ConnectorName, entries: AsyncIterable<Array<[string, string]>>): Promise<number>;
  /** Drops users whose delivery failed, so the next run sends them again. */
  forget(connector: ConnectorName, userIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** Signatures written per LMDB transaction when a run is committed. */
const COMMIT_TRANSACTION_PUTS = 50_000;

/**
 * @example
 * const state = openLocalSyncState((connector) => `job/output/${connector}/state/sync-state.mdb`);
 * const previous = await state.signatures('braze', ['u1', 'u2']);
 */
export function openLocalSyncState(pathOf: (connector: ConnectorName) => string): SyncStateStore {
  const dbs = new Map<ConnectorName, RootDatabase<string, string>>();
  /** The connector's state file; with `create` false, undefined until a run committed one. */
  async function db(connector: ConnectorName, create: false): Promise<RootDatabase<string, string> | undefined>;
  async function db(connector: ConnectorName, create: true): Promise<RootDatabase<string, string>>;
  async function db(connector: ConnectorName, create: boolean) {
    let found = dbs.get(connector);
    if (!found) {
      const path = pathOf(connector);
      if (!create && !existsSync(path)) return undefined;
      await mkdir(dirname(path), { recursive: true });
      found = open<string, string>({ path, noSubdir: true, encoding: 'string', compression: false });
      dbs.set(connector, found);
    }
    return found;
  }
  return {
    async signatures(connector, userIds) {
      const store = await db(connector, false);
      const out = new Map<string, string>();
      if (!store) return out;
      for (const user of userIds) {
        const value = store.get(user);
        if (value !== undefined) out.set(user, value);
      }
      return out;
    },
    async commit(connector, entries) {
      const store = await db(connector, true);
      let written = 0;
      let pending: Array<readonly [string, string]> = [];
      // Synchronous puts in few large transactions: a fifth of the cost of a put each, one sync per transaction.
      const flush = () => {
        const puts = pending;
        pending = [];
        store.transactionSync(() => {
          for (const [user, sig] of puts) store.putSync(user, sig);
        });
      };
      for await (const batch of entries) {
        for (const entry of batch) pending.push(entry);
        written += batch.length;
        if (pending.length >= COMMIT_TRANSACTION_PUTS) flush();
      }
      if (pending.length > 0) flush();
      return written;
    },
    async forget(connector, userIds) {
      const store = await db(connector, true);
      await store.transaction(() => {
        for (const user of userIds) store.remove(user);
      });
    },
    async close() {
      const all = [...dbs.values()];
      dbs.clear();
      await Promise.all(all.map((d) => d.close()));
    },
  };
}
