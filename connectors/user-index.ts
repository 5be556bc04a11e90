/**
 * The item → users index of a related-items job, built from the user-item mapping: the batch job
 * answers per item, and each answer goes to the users mapped to that item. Locally it is an LMDB file
 * in the run's scratch folder (a user → item table, where the last row wins, turned into item → users),
 * so memory stays flat however many users there are. In the cloud it is a DynamoDB table (see
 * dynamodb-user-index.ts).
 */
import { open } from 'lmdb';
import type { UserItemPair } from './user-item-mapping.ts';

export interface UserIndex {
  /** The users mapped to each item that has any. */
  usersOf(itemIds: readonly string[]): Promise<Map<string, string[]>>;
  close(): Promise<void>;
}

export interface LocalUserIndexBuilder {
  add(pairs: readonly UserItemPair[]): void;
  /** Finishes the build (the file is then ready for `openLocalUserIndex`); returns the number of users. */
  finish(): Promise<number>;
}

const DBS = { maxDbs: 2, compression: false } as const;

/**
 * @example
 * const builder = buildLocalUserIndex('/tmp/run/index.mdb');
 * for await (const pairs of readUserItemMapping(stream, file)) builder.add(pairs);
 * await builder.finish();
 * const index = openLocalUserIndex('/tmp/run/index.mdb');
 */
export function buildLocalUserIndex(path: string): LocalUserIndexBuilder {
  const env = open({ path, noSubdir: true, ...DBS });
  const byUser = env.openDB<string, string>({ name: 'user-item', encoding: 'string' });
  const byItem = env.openDB<string, string>({ name: 'item-users', encoding: 'string', dupSort: true });
  let last: Promise<boolean> | undefined;
  return {
    add(pairs) {
      for (const { user, item } of pairs) last = byUser.put(user, item);
    },
    async finish() {
      await last;
      let users = 0;
      let put: Promise<boolean> | undefined;
      for (const { key, value } of byUser.getRange()) {
        put = byItem.put(value, key);
        users++;
      }
      await put;
      await env.close();
      return users;
    },
  };
}

/** Opens a built index for reading (any thread may open it). */
export function openLocalUserIndex(path: string): UserIndex {
  const env = open({ path, noSubdir: true, readOnly: true, ...DBS });
  const byItem = env.openDB<string, string>({ name: 'item-users', encoding: 'string', dupSort: true });
  return {
    async usersOf(itemIds) {
      const out = new Map<string, string[]>();
      for (const item of itemIds) {
        if (out.has(item)) continue;
        const users = [...byItem.getValues(item)];
        if (users.length > 0) out.set(item, users);
      }
      return out;
    },
    close: () => env.close(),
  };
}
