/**
 * Recommendation IDs for responses whose origin gives none (every origin but Personalize): UUIDv7
 * (RFC 9562), so IDs are unique, sort by creation time as strings, and fit Personalize's 40-character
 * `recommendationId` event field. Within one millisecond a 12-bit counter in `rand_a` keeps the IDs
 * of one process strictly increasing (RFC 9562 §6.2, method 1); the other 62 bits are random.
 */
import { randomBytes } from 'node:crypto';

export type RecommendationIdFactory = () => string;

/** Random bytes are drawn from a pool this large: one `randomBytes` call per 400 or so IDs, not two per ID. */
const POOL_BYTES = 4096;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * @example
 * const newId = recommendationIdFactory();
 * newId(); // → '019acf3e-6f10-7000-8e5b-0c1d2e3f4a5b'
 */
export function recommendationIdFactory(
  clock: () => number = Date.now,
  random: (size: number) => Uint8Array = randomBytes,
): RecommendationIdFactory {
  let lastMs = -1;
  let counter = 0;
  let pool: Uint8Array = new Uint8Array(0);
  let used = 0;
  /** Where `size` fresh random bytes start in `pool`. */
  const take = (size: number) => {
    if (used + size > pool.length) {
      pool = random(POOL_BYTES);
      used = 0;
    }
    used += size;
    return used - size;
  };
  return () => {
    let ms = clock();
    if (ms <= lastMs) {
      // Same millisecond (or a clock step back): count on from the last ID instead of going backwards.
      ms = lastMs;
      counter += 1;
      if (counter > 0xfff) {
        ms += 1;
        counter = 0;
      }
    } else {
      const at = take(2);
      counter = ((pool[at]! << 8) | pool[at + 1]!) & 0x3ff;
    }
    lastMs = ms;
    const time = ms.toString(16).padStart(12, '0');
    const at = take(8);
    const b = (i: number) => HEX[pool[at + i]!]!;
    return (
      `${time.slice(0, 8)}-${time.slice(8)}-7${counter.toString(16).padStart(3, '0')}-` +
      `${HEX[(pool[at]! & 0x3f) | 0x80]}${b(1)}-${b(2)}${b(3)}${b(4)}${b(5)}${b(6)}${b(7)}`
    );
  };
}
