/**
 * How item metadata sits in a DynamoDB table, shared by the import that writes it and the store that
 * reads it: the table is `dynamodbTableName(namespace, config)` (schema/resolve-config.ts), each item
 * keeps its metadata under one attribute and the version of the import that wrote it under another.
 */

/** The attribute holding an item's metadata. */
export const ATTRIBUTES_ATTRIBUTE = 'attributes';
/** The attribute holding the version of the import that wrote the item (older ones are purged). */
export const VERSION_ATTRIBUTE = '_version';
