/**
 * Step 8: item metadata from the namespace's store (localdb, DynamoDB) attached to each returned item as
 * `metadata`. Unknown items stay as they are. Metadata Personalize returned itself is left untouched.
 */
import { ApiError, OriginFailedError } from '../errors.ts';
import type { ItemMetadataStore } from '../item-metadata/types.ts';
import type { RecommendedItem } from '../origins/types.ts';

/**
 * @example
 * const items = await decorateItems(result.items, store); // [{ itemId: 'i1', metadata: { name: 'Lamp' } }]
 */
export async function decorateItems(items: RecommendedItem[], store: ItemMetadataStore): Promise<RecommendedItem[]> {
  if (items.length === 0) return items;
  let found: Map<string, Record<string, unknown>>;
  try {
    found = await store.getMany(items.map((i) => i.itemId));
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new OriginFailedError('item metadata store', (err as Error).message ?? String(err), { cause: err });
  }
  return items.map((item) => {
    const metadata = found.get(item.itemId);
    return metadata ? { ...item, metadata } : item;
  });
}
