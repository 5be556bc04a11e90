/**
 * The destination interface. A destination turns one user's decorated recommendations into the record
 * it receives (the pipeline hashes that record for the delta check and writes it out), and sends
 * records in requests of a bounded size, answering which records it refused and why. One file per
 * destination implements both halves; `destinations/index.ts` finds them by connector name.
 */
import type { ItemMetadata } from '../../data-plane/item-metadata/types.ts';
import type { ConnectorName } from '../job-config.ts';

export interface DecoratedItem {
  id: string;
  score: number | undefined;
  /** Undefined when the item is not in the catalogue. */
  metadata: ItemMetadata | undefined;
}

/** What a destination receives for one user. */
export type DestinationRecord = Record<string, unknown>;

/** One line of a connector's output: the user, the signature of the record (for the sync state), the record. */
export interface OutputRecord {
  userId: string;
  signature: string;
  record: DestinationRecord;
}

export interface Rejection {
  record: OutputRecord;
  reason: string;
}

export interface RecordFormatter {
  readonly connector: ConnectorName;
  record(userId: string, items: readonly DecoratedItem[]): DestinationRecord;
}

export interface DestinationSender {
  readonly connector: ConnectorName;
  /** Records per request the destination accepts. */
  readonly maxRecordsPerRequest: number;
  /**
   * Sends at most `maxRecordsPerRequest` records. Resolves with the records the destination refused
   * (they will not be accepted on a retry); throws when it could not deliver after its retries, so the
   * caller can try the whole request again later.
   */
  send(records: readonly OutputRecord[]): Promise<Rejection[]>;
}

/** Field values of each item in rank order, for the fields chosen (default: `id` and every metadata field seen). */
export function fieldColumns(
  items: readonly DecoratedItem[],
  fields: readonly string[] | undefined,
): Array<[string, unknown[]]> {
  let names = fields;
  if (!names) {
    const seen = new Set<string>(['id']);
    for (const item of items) if (item.metadata) for (const key of Object.keys(item.metadata)) seen.add(key);
    names = [...seen];
  }
  return names.map((name) => [name, items.map((item) => fieldValue(item, name))]);
}

export function fieldValue(item: DecoratedItem, name: string): unknown {
  if (name === 'id') return item.id;
  const value = item.metadata?.[name];
  if (value !== undefined) return value;
  if (name === 'score') return item.score ?? null;
  return null;
}
