/**
 * The DynamoDB item-metadata tables a configuration asks for: one per `dynamodb` metadata definition
 * (namespace level and any recommender or variation override), named
 * `{tableNamePrefix}{namespace}` with a string partition key.
 */
import {
  DEFAULT_TABLE_KEY,
  dynamodbTableName,
  type ResolvedConfig,
  type StoredItemMetadataConfig,
} from '../../schema/resolve-config.ts';

export interface TableSpec {
  tableName: string;
  namespace: string;
  keyName: string;
  billingMode: 'PAY_PER_REQUEST' | 'PROVISIONED';
  throughput?: { readCapacityUnits: number; writeCapacityUnits: number };
  tags: Record<string, string>;
}

export interface DesiredTables {
  tables: TableSpec[];
  /** Tables left alone because their definition says `autoProvision: false`. */
  unmanaged: Array<{ tableName: string; namespace: string }>;
}

/**
 * @example
 * desiredTables(resolved).tables; // [{ tableName: 'PersonalizationApiItemMetadata_shop', keyName: 'id', … }]
 */
export function desiredTables(resolved: ResolvedConfig): DesiredTables {
  const byName = new Map<string, TableSpec>();
  const unmanaged = new Map<string, { tableName: string; namespace: string }>();
  const add = (namespace: string, metadata: StoredItemMetadataConfig) => {
    if (metadata.type !== 'dynamodb') return;
    const tableName = dynamodbTableName(namespace, metadata);
    if (byName.has(tableName) || unmanaged.has(tableName)) return;
    if (metadata.autoProvision === false) {
      unmanaged.set(tableName, { tableName, namespace });
      return;
    }
    const billingMode = metadata.billingMode ?? 'PAY_PER_REQUEST';
    byName.set(tableName, {
      tableName,
      namespace,
      keyName: metadata.keyName ?? DEFAULT_TABLE_KEY,
      billingMode,
      ...(billingMode === 'PROVISIONED' && metadata.provisionedThroughput
        ? { throughput: metadata.provisionedThroughput }
        : {}),
      tags: metadata.tags ?? {},
    });
  };
  for (const ns of resolved.namespaces.values()) for (const store of ns.itemMetadataStores) add(ns.key, store);
  return { tables: [...byName.values()], unmanaged: [...unmanaged.values()] };
}
