/**
 * The contract for item-metadata stores (localdb on LMDB, DynamoDB). The pipeline asks for the metadata
 * of the items an origin returned; unknown items are simply absent from the result.
 */
import type { ItemMetadataConfig } from '../../schema/config-schema.ts';

export type ItemMetadata = Record<string, unknown>;

export interface ItemMetadataStore {
  /** Metadata by item ID for the IDs that exist; duplicates in `ids` are allowed. */
  getMany(ids: readonly string[]): Promise<Map<string, ItemMetadata>>;
  close?(): Promise<void>;
}

/**
 * Finds the store for a namespace's effective `inferenceItemMetadata` (`localdb` or `dynamodb`);
 * undefined when there is none. Implementations cache stores per namespace and configuration.
 */
export type ItemMetadataStores = (namespace: string, config: ItemMetadataConfig) => ItemMetadataStore | undefined;

/**
 * What the stores and the import log through: Powertools' Logger on Lambda, a line logger in `p13n serve`,
 * a recorder in tests all fit.
 */
export interface ItemMetadataLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}
