/**
 * Step 10's body text, written field by field instead of by one `JSON.stringify` of the whole answer,
 * which was a tenth of a cache miss's CPU time: the decorated items' metadata objects come from the
 * store's decoded-item cache and are the same objects on every request that returns those items
 * (stores share them and nobody changes them, see localdb-store.ts), so each one's JSON text is kept
 * beside it in a WeakMap — it goes with the object when the store drops it — and written again as is.
 * The output is byte for byte what `JSON.stringify` gives for the same value.
 */
import type { RecommendedItem } from '../origins/types.ts';

const metadataText = new WeakMap<object, string>();

function metadataJson(metadata: object): string {
  let json = metadataText.get(metadata);
  if (json === undefined) {
    json = JSON.stringify(metadata);
    metadataText.set(metadata, json);
  }
  return json;
}

/**
 * Strings JSON writes as they are between quotes have no quote, backslash, control character or lone
 * surrogate (in `u` mode a surrogate pair is one code point, so `\p{Cs}` matches only lone ones; `\p{Cc}`
 * also takes DEL and C1, which JSON.stringify then writes as they are).
 */
const NEEDS_ESCAPE = /["\\\p{Cc}\p{Cs}]/u;

const stringJson = (value: string) => (NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`);

/** `"name":` per field name seen, for the few names items have (bounded: names come from origins). */
const fieldPrefixes = new Map<string, string>();
const MAX_FIELD_PREFIXES = 256;

function fieldPrefix(name: string): string {
  let prefix = fieldPrefixes.get(name);
  if (prefix === undefined) {
    prefix = `${stringJson(name)}:`;
    if (fieldPrefixes.size < MAX_FIELD_PREFIXES) fieldPrefixes.set(name, prefix);
  }
  return prefix;
}

function itemJson(item: RecommendedItem): string {
  let json = '';
  for (const name of Object.keys(item)) {
    const value = item[name];
    let text: string | undefined;
    if (typeof value === 'string') text = stringJson(value);
    else if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : 'null';
    else if (name === 'metadata' && typeof value === 'object' && value !== null) text = metadataJson(value);
    else text = JSON.stringify(value) as string | undefined;
    if (text === undefined) continue; // undefined, functions and symbols are left out, as JSON.stringify does
    json += json === '' ? `{${fieldPrefix(name)}${text}` : `,${fieldPrefix(name)}${text}`;
  }
  return json === '' ? '{}' : `${json}}`;
}

/**
 * @example
 * inferenceBodyJson('itemList', [{ itemId: 'a', score: 0.5 }], 'r-1') // → '{"itemList":[{"itemId":"a","score":0.5}],"recommendationId":"r-1"}'
 */
export function inferenceBodyJson(
  listKey: string,
  items: readonly RecommendedItem[],
  recommendationId: string,
  matchedExperiment?: unknown,
): string {
  // One join makes the body one flat string at once; appending would make a rope that the first reader
  // (the ETag's hash, the socket write) copies again.
  const parts = new Array<string>(items.length + 2);
  parts[0] = `{${fieldPrefix(listKey)}[`;
  for (let i = 0; i < items.length; i++) parts[i + 1] = i === 0 ? itemJson(items[i]!) : `,${itemJson(items[i]!)}`;
  parts[items.length + 1] =
    matchedExperiment === undefined
      ? `],"recommendationId":${stringJson(recommendationId)}}`
      : `],"recommendationId":${stringJson(recommendationId)},"matchedExperiment":${JSON.stringify(matchedExperiment)}}`;
  return parts.join('');
}
