/**
 * Builds a fresh LMDB store file from streamed item batches. Writes are grouped into synchronous
 * transactions of a few thousand puts (one awaited put per item would cost about a millisecond each),
 * and a later line with the same ID replaces an earlier one.
 */
import { open, type RootDatabase } from 'lmdb';
import type { ItemMetadata } from './item.ts';
import type { ValidItem } from './json-lines.ts';

export interface LocaldbWriter {
  /** Buffers items and commits a transaction whenever enough are waiting. */
  add(items: readonly ValidItem[]): void;
  /** Commits what is left and closes the file; returns the number of distinct IDs stored. */
  finish(): Promise<number>;
  /** Closes the file without committing what is buffered (the caller deletes the file). */
  abort(): Promise<void>;
}

const TRANSACTION_SIZE = 10_000;

/**
 * @example
 * const writer = createLocaldbWriter('/data/localdb/shop/items-1.mdb');
 * writer.add([{ line: 1, id: 'a', metadata: { name: 'Tan Backpack' } }]);
 * const distinct = await writer.finish();
 */
export function createLocaldbWriter(path: string): LocaldbWriter {
  const db: RootDatabase<ItemMetadata, string> = open<ItemMetadata, string>({ path, noSubdir: true });
  let buffered: ValidItem[] = [];
  const commit = () => {
    const items = buffered;
    buffered = [];
    db.transactionSync(() => {
      for (const item of items) db.putSync(item.id, item.metadata);
    });
  };
  return {
    add(items) {
      for (const item of items) buffered.push(item);
      if (buffered.length >= TRANSACTION_SIZE) commit();
    },
    async finish() {
      if (buffered.length > 0) commit();
      const distinct = db.getCount();
      await db.close();
      return distinct;
    },
    async abort() {
      buffered = [];
      await db.close();
    },
  };
}
