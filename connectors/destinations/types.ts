/**
 * The destination interface. A destination turns one user's decorated recommendations into the record
 * it receives (the pipeline hashes that record for the delta check and writes it out), and sends
 * records in requests of a bounded size, answering which records it refused and why. One file per
 * destination implements both halves; `destinations/index.ts` finds them by connector name.
 */
import type { ItemMetadata } from '../../contracts/item-metadata/item.ts';
import type { ItemMetadataView } from '../item-decorator.ts';
import type { ConnectorName } from '../job-config.ts';
import { textHash } from '../record-signature.ts';

/** One user's recommendations with the metadata of their items. */
export interface DecoratedList {
  /** Item IDs in rank order. */
  ids: readonly string[];
  /** The batch job's scores, aligned with `ids`, when it wrote them. */
  scores: readonly number[] | undefined;
  /** Metadata by item ID; undefined for unknown items. */
  metadata: ItemMetadataView;
}

/** What a destination receives for one user. */
export type DestinationRecord = Record<string, unknown>;

/** One line of a connector's output: the user, the signature of the record (for the sync state), the record. */
export interface OutputRecord {
  userId: string;
  signature: string;
  /** The line of the batch-inference part file the record came from (absent in delivery messages). */
  line?: number;
  record: DestinationRecord;
}

export interface Rejection {
  record: OutputRecord;
  reason: string;
}

/** A user's record as written out, and its signature for the delta check (record-signature.ts). */
export interface FormattedRecord {
  json: string;
  signature: string;
}

export interface RecordFormatter {
  readonly connector: ConnectorName;
  /** The record for one user: its JSON text, written out as is, and the signature the delta check compares. */
  record(userId: string, list: DecoratedList): FormattedRecord;
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

/** The fields to send: the configured ones, or `id` and every metadata field of the list's items. */
export function fieldsOf(list: DecoratedList, configured: readonly string[] | undefined): readonly string[] {
  if (configured) return configured;
  const seen = new Set<string>(['id']);
  for (const id of list.ids) {
    const metadata = list.metadata.get(id);
    if (metadata) for (const key of Object.keys(metadata)) seen.add(key);
  }
  return [...seen];
}

/** The value of one field of the item at `rank`: `id`, a metadata field, else `score`, else null. */
export function fieldValue(list: DecoratedList, rank: number, name: string): unknown {
  const id = list.ids[rank] as string;
  if (name === 'id') return id;
  const value = list.metadata.get(id)?.[name];
  if (value !== undefined) return value;
  if (name === 'score') return list.scores?.[rank] ?? null;
  return null;
}

/** One item's serialised field values, in the configured order: as the first element of a list, and after a comma. */
export interface ItemFragments {
  first: string[];
  rest: string[];
  /** A 64-bit hash of the values (two halves), for the record's signature. */
  hashA: number;
  hashB: number;
}

/**
 * Serialised field values of each item (the configured fields, `id` first-class), kept per catalogue
 * entry as long as the decorator keeps the entry (a WeakMap on the metadata object): users share items,
 * so each item's values are serialised once, and a record is assembled from them without a separator
 * test per value. A field with no value is `null` (the formatter fills `score` from the list then).
 */
export function createFragmentCache(fields: readonly string[]) {
  const cache = new WeakMap<object, ItemFragments>();
  const build = (id: string, metadata: ItemMetadata | undefined): ItemFragments => {
    const first = fields.map((name) => {
      if (name === 'id') return JSON.stringify(id);
      const value = metadata?.[name];
      return value === undefined ? 'null' : JSON.stringify(value);
    });
    const [hashA, hashB] = textHash(first.join('\u0000'));
    return { first, rest: first.map((f) => `,${f}`), hashA, hashB };
  };
  return (id: string, metadata: ItemMetadata | undefined): ItemFragments => {
    if (!metadata) return build(id, undefined);
    let fragments = cache.get(metadata);
    if (!fragments) {
      fragments = build(id, metadata);
      cache.set(metadata, fragments);
    }
    return fragments;
  };
}
