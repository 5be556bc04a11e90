/**
 * Item metadata read in-process from an LMDB file (one per namespace). Reads are synchronous
 * memory-mapped lookups of a microsecond or two each. The file behind the store can be replaced while
 * it serves: `swap` opens the new file, switches the live reference, then closes the old one. Because
 * every read completes within one synchronous turn, no read can still be using the old file when it
 * closes. Decoded items are kept in a bounded LRU in front of the file: the items a recommender returns
 * are mostly the same popular ones, and reading and decoding each from LMDB on every request cost more
 * than the rest of the decoration. The map is emptied when the file is swapped, and the items a write
 * changed are dropped from it once the write is committed. Callers share the objects it returns and must
 * not change them.
 */

import { open, type RootDatabase } from 'lmdb';
import { LRUCache } from 'lru-cache';
import type { ItemMetadata } from '../../contracts/item-metadata/item.ts';
import type { ItemMetadataStore, StoredItem } from './types.ts';

/**
 * Opens an LMDB store file, for reading only unless `writable`; the builder and the readers agree on
 * these options. One process can hold only one handle per file, so a store that takes writes opens its
 * file writable from the start.
 */
export function openLocaldbFile(path: string, writable = false): RootDatabase<ItemMetadata, string> {
  return open<ItemMetadata, string>({ path, noSubdir: true, readOnly: !writable });
}

/** Decoded items a store keeps in memory by default (a few kilobytes each at most, usually far less). */
export const DEFAULT_CACHED_ITEMS = 10_000;

/** Kept for IDs the file does not hold, so unknown items are not looked up again either. */
const MISSING = Symbol('missing');

export class LocaldbStore implements ItemMetadataStore {
  #db: RootDatabase<ItemMetadata, string> | undefined;
  #path: string | undefined;
  readonly #writable: boolean;
  /** The least recently read item goes when it is full; absent when the bound is 0. */
  readonly #cache: LRUCache<string, ItemMetadata | typeof MISSING> | undefined;

  /**
   * An empty store (every lookup misses) until `swap` gives it a file, or one opened on `path`.
   * `writable` stores take `putMany` (local files; files synced from S3 stay read-only); `cachedItems`
   * bounds the decoded items kept in memory (default DEFAULT_CACHED_ITEMS; 0 reads the file every time).
   */
  constructor(path?: string, options: { writable?: boolean; cachedItems?: number } = {}) {
    this.#writable = options.writable ?? false;
    const maxCached = options.cachedItems ?? DEFAULT_CACHED_ITEMS;
    this.#cache = maxCached > 0 ? new LRUCache({ max: maxCached }) : undefined;
    if (path) {
      this.#db = openLocaldbFile(path, this.#writable);
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
    return Promise.resolve(this.getManyNow(ids));
  }

  getManyNow(ids: readonly string[]): Map<string, ItemMetadata> {
    const found = new Map<string, ItemMetadata>();
    const db = this.#db;
    if (db) {
      const cache = this.#cache;
      for (const id of ids) {
        let value = cache?.get(id);
        if (value === undefined) {
          value = db.get(id) ?? MISSING;
          cache?.set(id, value);
        }
        if (value !== MISSING) found.set(id, value);
      }
    }
    return found;
  }

  /** Upserts into the file being served, in one transaction; the next import replaces the file as a whole. */
  async putMany(items: readonly StoredItem[]): Promise<void> {
    const db = this.#db;
    if (!db || !this.#writable) throw new Error('this localdb store has no writable file');
    await db.transaction(() => {
      for (const item of items) db.put(item.id, item.metadata);
    });
    for (const item of items) this.#cache?.delete(item.id);
  }

  /**
   * Serves `path` from now on and closes the previous file. Returns the previous file's path so the
   * caller can delete it.
   */
  async swap(path: string): Promise<string | undefined> {
    const next = openLocaldbFile(path, this.#writable);
    const previous = this.#db;
    const previousPath = this.#path;
    this.#db = next;
    this.#path = path;
    this.#cache?.clear();
    await previous?.close();
    return previousPath;
  }

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    this.#path = undefined;
    this.#cache?.clear();
    await db?.close();
  }
}
