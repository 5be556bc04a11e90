/**
 * The `hash` experiment method: deterministic, weighted, sticky assignment of users to variations with
 * no network call and no state. A user's bucket is a point in [0, 1) taken from SHA-256 of the
 * experiment's feature, its salt and the user ID, so it is the same in every process, after every
 * restart and on every machine; changing the salt reshuffles users without renaming the experiment.
 */
import type { HashExperimentConfig } from '../../schema/config-schema.ts';
import { BoundedMemo } from '../bounded-memo.ts';
import { hashOnce } from '../hash-once.ts';

const TWO_POW_53 = 2 ** 53;

/**
 * A uniform point in [0, 1) for (feature, salt, userId): the first 53 bits of SHA-256 over the three
 * parts joined by NUL (which none of them can be confused across).
 *
 * @example
 * bucketOf('home-page', '', 'user-42'); // → 0.75497935… on every call, in every process
 */
export function bucketOf(feature: string, salt: string, userId: string): number {
  return buckets.get(`${feature}\u0000${salt}\u0000${userId}`, hashBucket);
}

function hashBucket(input: string): number {
  const digest = hashOnce('sha256', input, 'buffer');
  // The top 32 bits and the next 21 make an integer below 2⁵³, exact as a double, without a BigInt.
  return (digest.readUInt32BE(0) * 2 ** 21 + (digest.readUInt32BE(4) >>> 11)) / TWO_POW_53;
}

/** Buckets of the users seen lately: a hash costs 1.4 µs (about 1% of a cache miss), a lookup a tenth of that. */
const buckets = new BoundedMemo<string, number>(10_000);

/**
 * The variation key a user is assigned to: the weights, in configuration order, split [0, 1) into
 * consecutive ranges proportional to their weights and the user's bucket falls in one of them.
 * Weights naming variations outside `variationKeys` and zero weights take no range. Undefined when no
 * weight is positive (the caller then serves the first variation).
 *
 * @example
 * assignByHash('home-page', { method: 'hash', weights: { a: 50, b: 30, c: 20 } }, ['a', 'b', 'c'], 'user-42');
 * // → 'b'
 */
export function assignByHash(
  feature: string,
  experiment: Pick<HashExperimentConfig, 'weights' | 'salt'>,
  variationKeys: Iterable<string>,
  userId: string,
): string | undefined {
  const known = new Set(variationKeys);
  const ranges = Object.entries(experiment.weights).filter(([key, weight]) => known.has(key) && weight > 0);
  const total = ranges.reduce((sum, [, weight]) => sum + weight, 0);
  if (total <= 0) return undefined;
  const point = bucketOf(feature, experiment.salt ?? '', userId) * total;
  let upper = 0;
  for (const [key, weight] of ranges) {
    upper += weight;
    if (point < upper) return key;
  }
  return ranges[ranges.length - 1]?.[0];
}
