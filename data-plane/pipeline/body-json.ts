/**
 * Step 10's body text, written field by field instead of by one `JSON.stringify` of the whole answer,
 * which was a tenth of a cache miss's CPU time: the decorated items' metadata objects come from the
 * store's decoded-item cache and are the same objects on every request that returns those items
 * (stores share them and nobody changes them, see localdb-store.ts), so each one's JSON text is kept
 * beside it in a WeakMap — it goes with the object when the store drops it — and written again as is.
 * The output is byte for byte what `JSON.stringify` gives for the same value.
 */
import { BoundedMemo } from '../bounded-memo.ts';
import type { RecommendedItem } from '../origins/types.ts';

/** What is kept beside a metadata object: the text after an item's score, and the text before it for the item last written. */
interface MetadataTexts {
  /** `,"metadata":{…}}`: the field, and the end of its item. */
  tail: string;
  /** The item ID `head` was written for. */
  itemId?: string;
  /** `,{"itemId":"…","score":`. */
  head?: string;
}

const metadataTexts = new WeakMap<object, MetadataTexts>();
const METADATA_FIELD = ',"metadata":';

/**
 * The pieces as one flat string. Kept texts must be flat: `+` and template literals make a rope of
 * anything over 12 characters, and every join would walk that rope again (a join of ropes cost twice
 * as much). `join` writes a flat string.
 */
const flat = (...pieces: string[]) => pieces.join('');

function textsOf(metadata: object): MetadataTexts {
  let texts = metadataTexts.get(metadata);
  if (texts === undefined) {
    texts = { tail: flat(METADATA_FIELD, JSON.stringify(metadata), '}') };
    metadataTexts.set(metadata, texts);
  }
  return texts;
}

/**
 * Strings JSON writes as they are between quotes have no quote, backslash, control character or lone
 * surrogate (in `u` mode a surrogate pair is one code point, so `\p{Cs}` matches only lone ones; `\p{Cc}`
 * also takes DEL and C1, which JSON.stringify then writes as they are).
 */
const NEEDS_ESCAPE = /["\\\p{Cc}\p{Cs}]/u;

const stringJson = (value: string) => (NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`);

/** `"name":` per field name seen, for the few names items have (bounded: names come from origins). */
const fieldPrefixes = new BoundedMemo<string, string>(256);

const fieldPrefix = (name: string) => fieldPrefixes.get(name, prefixOf);
const prefixOf = (name: string) => `${stringJson(name)}:`;

/**
 * `String(value)` for a finite number, faster for scores between 10⁻⁶ and 1, the range recommenders
 * score in: `String` of a double not written lately costs 0.25–0.5 µs, over a third of a 25-item
 * body's time, this about 0.1 µs.
 * A double below 1 that some decimal with at most 15 places rounds to has exactly one such decimal
 * with 15 places (they would be 10⁻¹⁵ apart, more than the double's own spacing), and `c / 10¹⁵` is
 * exact to test, division being correctly rounded; the shortest such decimal, which `String` writes,
 * is that one without its trailing zeros. Any other number goes to `String`.
 */
export function numberJson(value: number): string {
  if (value >= 1e-6 && value < 1) {
    const scaled = Math.round(value * 1e15);
    const digits =
      scaled / 1e15 === value
        ? scaled
        : (scaled - 1) / 1e15 === value
          ? scaled - 1
          : (scaled + 1) / 1e15 === value
            ? scaled + 1
            : -1;
    if (digits > 0) {
      let c = digits;
      let places = 15;
      // Eight zeros at once when they are there (a 6-digit score has nine): a double's % is slow.
      if (c % 1e8 === 0) {
        c /= 1e8;
        places -= 8;
      }
      while (c % 10 === 0) {
        c /= 10;
        places--;
      }
      const text = String(c);
      return text.length === places ? `0.${text}` : `0.${'0'.repeat(places - text.length)}${text}`;
    }
  }
  return String(value);
}

/**
 * Appends one item's JSON to `parts`, as JSON.stringify writes it. A decorated item of the usual shape
 * (`itemId`, `score`, `metadata`, in that order) is three parts: the text before its score and the
 * text after it are kept beside its metadata object. Fewer parts make the join cheaper: it costs more
 * per part than per byte.
 */
function pushItem(parts: string[], item: RecommendedItem, first: boolean): void {
  const names = Object.keys(item);
  if (names.length === 3 && names[0] === 'itemId' && names[1] === 'score' && names[2] === 'metadata') {
    const { itemId, score, metadata } = item;
    if (
      typeof itemId === 'string' &&
      typeof score === 'number' &&
      Number.isFinite(score) &&
      typeof metadata === 'object' &&
      metadata !== null
    ) {
      const texts = textsOf(metadata);
      if (texts.itemId !== itemId || texts.head === undefined) {
        texts.head = flat(',{"itemId":', stringJson(itemId), ',"score":');
        texts.itemId = itemId;
      }
      parts.push(first ? texts.head.slice(1) : texts.head, numberJson(score), texts.tail);
      return;
    }
  }
  let open = first ? '{' : ',{';
  for (const name of names) {
    const value = item[name];
    let text: string | undefined;
    if (typeof value === 'string') text = stringJson(value);
    else if (typeof value === 'number') text = Number.isFinite(value) ? numberJson(value) : 'null';
    else if (name === 'metadata' && typeof value === 'object' && value !== null)
      text = textsOf(value).tail.slice(METADATA_FIELD.length, -1);
    else text = JSON.stringify(value) as string | undefined;
    if (text === undefined) continue; // undefined, functions and symbols are left out, as JSON.stringify does
    parts.push(open, fieldPrefix(name), text);
    open = ',';
  }
  parts.push(open === ',' ? '}' : `${open}}`);
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
  // Every piece goes into one list and one join copies each once into a flat string; appending would
  // make ropes that the join, then the ETag's hash and the socket write, walk again.
  const parts: string[] = [`{${fieldPrefix(listKey)}[`];
  for (let i = 0; i < items.length; i++) pushItem(parts, items[i]!, i === 0);
  parts.push(
    matchedExperiment === undefined
      ? `],"recommendationId":${stringJson(recommendationId)}}`
      : `],"recommendationId":${stringJson(recommendationId)},"matchedExperiment":${JSON.stringify(matchedExperiment)}}`,
  );
  return parts.join('');
}
