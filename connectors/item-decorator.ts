/**
 * Item metadata for decoration, read from an item-metadata store (the job's own catalogue built into a
 * localdb, or a namespace's localdb or DynamoDB store) through a bounded LRU cache: a batch of users
 * shares most of its items, so the store is asked once per item, not once per recommendation.
 */
import { LRUCache } from 'lru-cache';
import type { ItemMetadata, ItemMetadataStore } from '../data-plane/item-metadata/types.ts';

const MISSING = Symbol('missing');
type Cached = ItemMetadata | typeof MISSING;

export interface ItemDecorator {
  /** Metadata of each ID (undefined when the item is unknown), from the cache or the store. */
  lookup(ids: Iterable<string>): Promise<Map<string, ItemMetadata | undefined>>;
}

/**
 * @example
 * const decorator = createItemDecorator(new LocaldbStore(path));
 * const metadata = await decorator.lookup(['a', 'b']); // Map { 'a' => {...}, 'b' => undefined }
 */
export function createItemDecorator(store: ItemMetadataStore | undefined, maxCached = 100_000): ItemDecorator {
  const cache = new LRUCache<string, Cached>({ max: maxCached });
  return {
    async lookup(ids) {
      const out = new Map<string, ItemMetadata | undefined>();
      const missing: string[] = [];
      for (const id of ids) {
        if (out.has(id)) continue;
        const hit = cache.get(id);
        if (hit === undefined) {
          missing.push(id);
          out.set(id, undefined);
        } else out.set(id, hit === MISSING ? undefined : hit);
      }
      if (missing.length > 0 && store) {
        const found = await store.getMany(missing);
        for (const id of missing) {
          const metadata = found.get(id);
          cache.set(id, metadata ?? MISSING);
          out.set(id, metadata);
        }
      }
      return out;
    },
  };
}
