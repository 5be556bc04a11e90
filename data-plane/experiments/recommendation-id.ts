/**
 * Recommendation IDs for responses whose origin gives none (every origin but Personalize): UUIDv7
 * (RFC 9562), so IDs are unique, sort by creation time as strings, and fit Personalize's 40-character
 * `recommendationId` event field. Within one millisecond a 12-bit counter in `rand_a` keeps the IDs
 * of one process strictly increasing (RFC 9562 §6.2, method 1); the other 62 bits are random.
 */
import { randomBytes } from 'node:crypto';

export type RecommendationIdFactory = () => string;

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
      counter = random(2).reduce((a, b) => (a << 8) | b, 0) & 0x3ff;
    }
    lastMs = ms;
    const bytes = Buffer.alloc(16);
    bytes.writeUIntBE(ms, 0, 6);
    bytes.writeUInt16BE(0x7000 | counter, 6);
    Buffer.from(random(8)).copy(bytes, 8);
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
