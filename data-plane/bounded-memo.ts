/**
 * What the hot path has worked out before, keyed by what requests send (a query string, an
 * `Accept-Encoding` value, a user), for the few keys that come again and again. Clients choose the
 * keys, so a memo holds at most `max` entries and is emptied when full: cheaper than an LRU on every
 * request, and the keys in use come straight back.
 */
export class BoundedMemo<K, V> {
  readonly #values = new Map<K, V>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /**
   * The value kept for `key`, else `compute(key)`, kept.
   *
   * @example
   * const lengths = new BoundedMemo<string, number>(100);
   * lengths.get('abc', (s) => s.length); // 3, computed; the next call finds it
   */
  get(key: K, compute: (key: K) => V): V {
    const kept = this.#values.get(key);
    if (kept !== undefined || this.#values.has(key)) return kept as V;
    const value = compute(key);
    if (this.#values.size >= this.#max) this.#values.clear();
    this.#values.set(key, value);
    return value;
  }
}
