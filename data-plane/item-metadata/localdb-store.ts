/**
 * Item metadata read in-process from an LMDB file (one per namespace). Reads are synchronous
 * memory-mapped lookups of a microsecond or two each. The file behind the store can be replaced while
 * it serves: `swap` opens the new file, switches the live reference, then closes the old one. Because
 * every read completes within one synchronous turn, no read can still be using the old file when it
 * closes.
 */
import { open, type RootDatabase } from 'lmdb';
import type { ItemMetadata } from '../../contracts/item-metadata/item.ts';
import type { ItemMetadataStore } from './types.ts';

/** Opens an LMDB store file for reading only; the builder and the readers agree on these options. */
export function openLocaldbFile(path: string): RootDatabase<ItemMetadata, string> {
  return open<ItemMetadata, string>({ path, noSubdir: true, readOnly: true });
}

export class LocaldbStore implements ItemMetadataStore {
  #db: RootDatabase<ItemMetadata, string> | undefined;
  #path: string | undefined;

  /** An empty store (every lookup misses) until `swap` gives it a file, or one opened on `path`. */
  constructor(path?: string) {
    if (path) {
      this.#db = openLocaldbFile(path);
      this.#path = path;
    }
  }

  /** The file currently served, if any. */
  get path(): string | undefined {
    return this.#path;
  }

  /**
   * @example
   * const store = new LocaldbStore('/data/localdb/shop/items-1.mdb');
   * const found = await store.getMany(['a', 'b']); // Map { 'a' => { name: 'Tan Backpack', ... } }
   */
  getMany(ids: readonly string[]): Promise<Map<string, ItemMetadata>> {
    const found = new Map<string, ItemMetadata>();
    const db = this.#db;
    if (db) {
      for (const id of ids) {
        if (found.has(id)) continue;
        const value = db.get(id);
        if (value !== undefined) found.set(id, value);
      }
    }
    return Promise.resolve(found);
  }

  /**
   * Serves `path` from now on and closes the previous file. Returns the previous file's path so the
   * caller can delete it.
   */
  async swap(path: string): Promise<string | undefined> {
    const next = openLocaldbFile(path);
    const previous = this.#db;
    const previousPath = this.#path;
    this.#db = next;
    this.#path = path;
    await previous?.close();
    return previousPath;
  }

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    this.#path = undefined;
    await db?.close();
  }
}
