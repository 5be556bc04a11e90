/**
 * A digest of a string in one call. One-shot hashing (`crypto.hash`, Node ≥ 20.12) makes no Hash
 * object: each is a native object with a weak handle that every young-generation collection visits,
 * and a request path made one per response. Older Nodes make one.
 */
import * as crypto from 'node:crypto';

const oneShot = typeof crypto.hash === 'function';

/**
 * @example
 * hashOnce('sha1', 'abc', 'hex'); // 'a9993e36…'
 */
export function hashOnce(algorithm: string, text: string, encoding: 'hex'): string;
export function hashOnce(algorithm: string, text: string, encoding: 'buffer'): Buffer;
export function hashOnce(algorithm: string, text: string, encoding: 'hex' | 'buffer'): string | Buffer {
  if (oneShot) return crypto.hash(algorithm, text, encoding);
  const hash = crypto.createHash(algorithm).update(text);
  return encoding === 'hex' ? hash.digest('hex') : hash.digest();
}
