/**
 * Item metadata for decoration, read from an item-metadata store (the job's own catalogue built into a
 * localdb, or a namespace's localdb or DynamoDB store) through a bounded cache: users share most of
 * their items, so the store is asked once per item, not once per recommendation. A plain Map, emptied
 * when full, costs less per lookup than an LRU on this hot path; a catalogue within the bound is read once.
 */
import type { ItemMetadata } from '../contracts/item-metadata/item.ts';
import type { ItemMetadataStore } from '../data-plane/item-metadata/types.ts';

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
  const cache = new Map<string, Cached>();
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
        if (cache.size + missing.length > maxCached) cache.clear();
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
