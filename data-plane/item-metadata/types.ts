/**
 * The contract for item-metadata stores (localdb on LMDB, DynamoDB). The pipeline asks for the metadata
 * of the items an origin returned; unknown items are simply absent from the result.
 */
import type { ItemMetadata } from '../../contracts/item-metadata/item.ts';
import type { ItemMetadataConfig } from '../../schema/config-schema.ts';

export interface StoredItem {
  id: string;
  metadata: ItemMetadata;
}

export interface ItemMetadataStore {
  /**
   * Inserts or replaces items (Personalize PutItems). Stores that cannot take writes leave it out: a
   * localdb synced from the staging bucket would lose them at its next download.
   */
  putMany?(items: readonly StoredItem[]): Promise<void>;
  /**
   * Metadata by item ID for the IDs that exist; duplicates in `ids` are allowed. Remote stores stop at
   * `signal` (the request's deadline).
   */
  getMany(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, ItemMetadata>>;
  /**
   * Stores that read in-process (localdb): `getMany` answered in the call, so decoration needs no
   * deadline race, AbortSignal or promise for them.
   */
  getManyNow?(ids: readonly string[]): Map<string, ItemMetadata>;
  /**
   * False while the store has nothing to answer from yet (an S3-synced localdb before its first
   * download): answers it decorates are then marked and never cached. Stores that are always ready
   * leave it out.
   */
  ready?(): boolean;
  close?(): Promise<void>;
}

/**
 * Finds the store for a namespace's effective `inferenceItemMetadata` (`localdb` or `dynamodb`);
 * undefined when there is none. Implementations cache stores per namespace and configuration.
 */
export type ItemMetadataStores = (namespace: string, config: ItemMetadataConfig) => ItemMetadataStore | undefined;
