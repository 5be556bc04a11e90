/**
 * The DynamoDB item-metadata tables a configuration asks for: one per `dynamodb` metadata definition
 * (namespace level and any recommender or variation override), named
 * `{tableNamePrefix}{namespace}` with a string partition key.
 */
import type { ItemMetadataConfig } from '../../schema/config-schema.ts';
import { DEFAULT_TABLE_PREFIX, type ResolvedConfig } from '../../schema/resolve-config.ts';

export interface TableSpec {
  tableName: string;
  namespace: string;
  keyName: string;
  billingMode: 'PAY_PER_REQUEST' | 'PROVISIONED';
  throughput?: { readCapacityUnits: number; writeCapacityUnits: number };
  tags: Record<string, string>;
}

type DynamoDbMetadata = Extract<ItemMetadataConfig, { type: 'dynamodb' }>;

export interface DesiredTables {
  tables: TableSpec[];
  /** Tables left alone because their definition says `autoProvision: false`. */
  unmanaged: Array<{ tableName: string; namespace: string }>;
}

function tableNameFor(namespace: string, metadata: DynamoDbMetadata): string {
  return `${metadata.tableNamePrefix ?? DEFAULT_TABLE_PREFIX}${namespace}`;
}

/**
 * @example
 * desiredTables(resolved).tables; // [{ tableName: 'PersonalizationApiItemMetadata_shop', keyName: 'id', … }]
 */
export function desiredTables(resolved: ResolvedConfig): DesiredTables {
  const byName = new Map<string, TableSpec>();
  const unmanaged = new Map<string, { tableName: string; namespace: string }>();
  const add = (namespace: string, metadata: ItemMetadataConfig | undefined) => {
    if (metadata?.type !== 'dynamodb') return;
    const tableName = tableNameFor(namespace, metadata);
    if (byName.has(tableName) || unmanaged.has(tableName)) return;
    if (metadata.autoProvision === false) {
      unmanaged.set(tableName, { tableName, namespace });
      return;
    }
    const billingMode = metadata.billingMode ?? 'PAY_PER_REQUEST';
    byName.set(tableName, {
      tableName,
      namespace,
      keyName: metadata.keyName ?? 'id',
      billingMode,
      ...(billingMode === 'PROVISIONED' && metadata.provisionedThroughput
        ? { throughput: metadata.provisionedThroughput }
        : {}),
      tags: metadata.tags ?? {},
    });
  };
  for (const ns of resolved.namespaces.values()) {
    add(ns.key, ns.inferenceItemMetadata);
    for (const recommenders of Object.values(ns.recommenders)) {
      for (const rec of recommenders.values()) {
        for (const variation of rec.variations.values()) add(ns.key, variation.inferenceItemMetadata);
      }
    }
  }
  return { tables: [...byName.values()], unmanaged: [...unmanaged.values()] };
}
