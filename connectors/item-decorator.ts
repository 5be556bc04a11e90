/**
 * Item metadata for decoration, read from an item-metadata store (the job's own catalogue built into a
 * localdb, or a namespace's localdb or DynamoDB store) through a bounded cache: users share most of
 * their items, so the store is asked once per item, not once per recommendation. A plain Map, emptied
 * when full, costs less per lookup than an LRU on this hot path; a catalogue within the bound is read once.
 * A lookup answers from the cache itself (no per-batch copy) whenever the batch's items fit in it.
 */
import type { ItemMetadata } from '../contracts/item-metadata/item.ts';
import type { ItemMetadataStore } from '../data-plane/item-metadata/types.ts';

/** Metadata by item ID (undefined when the item is unknown). */
export interface ItemMetadataView {
  get(id: string): ItemMetadata | undefined;
}

export interface ItemDecorator {
  /** Metadata of every ID of the lists, from the cache or the store; valid until the next lookup. */
  lookup(lists: Iterable<readonly string[]>): Promise<ItemMetadataView>;
}

/** Cached "no such item", kept apart from "not looked up yet". */
const MISSING = Symbol('missing');
type Cached = ItemMetadata | typeof MISSING;

/**
 * @example
 * const decorator = createItemDecorator(new LocaldbStore(path));
 * const metadata = await decorator.lookup([['a', 'b']]); // metadata.get('a') → {...}, metadata.get('b') → undefined
 */
export function createItemDecorator(store: ItemMetadataStore | undefined, maxCached = 100_000): ItemDecorator {
  const cache = new Map<string, Cached>();
  const view: ItemMetadataView = {
    get(id) {
      const hit = cache.get(id);
      return hit === MISSING ? undefined : hit;
    },
  };
  const fetch = async (ids: readonly string[], into: Map<string, Cached>) => {
    const found = store ? await store.getMany(ids) : undefined;
    for (const id of ids) into.set(id, found?.get(id) ?? MISSING);
  };
  return {
    async lookup(lists) {
      const missing = new Set<string>();
      for (const ids of lists) for (const id of ids) if (!cache.has(id)) missing.add(id);
      if (missing.size === 0) return view;
      if (cache.size + missing.size <= maxCached) {
        await fetch([...missing], cache);
        return view;
      }
      // Full: start again with this batch's items only.
      cache.clear();
      const all = new Set<string>();
      for (const ids of lists) for (const id of ids) all.add(id);
      if (all.size <= maxCached) {
        await fetch([...all], cache);
        return view;
      }
      // More distinct items in one batch than the cache holds: answer from a copy for this batch.
      const batch = new Map<string, Cached>();
      await fetch([...all], batch);
      return {
        get(id) {
          const hit = batch.get(id);
          return hit === MISSING ? undefined : hit;
        },
      };
    },
  };
}
