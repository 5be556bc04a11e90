/**
 * How long the in-process cache may keep a response: its effective `max-age`, read back from the
 * `Cache-Control` header the pipeline wrote, so the cache and downstream caches (browsers, CloudFront)
 * agree. `no-store`, `no-cache` and `max-age=0` responses are never kept.
 */

const MAX_AGE = /(?:^|[,\s])max-age=(\d{1,9})(?:$|[,\s])/i;
const NOT_STORABLE = /(?:^|[,\s])(?:no-store|no-cache)(?:$|[,\s=])/i;

/**
 * Seconds the response may be cached in process, or 0 when it must not be.
 *
 * @example
 * storableSeconds('max-age=300, public') // → 300
 * storableSeconds('max-age=60, private, no-cache') // → 0
 */
export function storableSeconds(cacheControl: string | undefined): number {
  if (!cacheControl || NOT_STORABLE.test(cacheControl)) return 0;
  const m = MAX_AGE.exec(cacheControl);
  return m ? Number(m[1]) : 0;
}
