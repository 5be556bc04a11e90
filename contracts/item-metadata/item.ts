/** One item's metadata as imported and as returned to clients: whatever the catalogue line held. */
export type ItemMetadata = Record<string, unknown>;
