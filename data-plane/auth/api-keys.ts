/**
 * API keys for `p13n serve`, kept only as SHA-256 hashes: a leaked key file or environment does not
 * reveal a usable key. A presented key is hashed and compared with every stored hash in constant time
 * (crypto.timingSafeEqual, no early exit), so response timing says nothing about how close a guess was.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * @example
 * hashApiKey('s3cret') // → '2e4e…' (64 hex characters, what an api-keys file holds)
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function isApiKeyHash(value: string): boolean {
  return SHA256_HEX.test(value);
}

/**
 * A checker over stored hashes (lower-case hex SHA-256).
 *
 * @example
 * const valid = apiKeyVerifier([hashApiKey('s3cret')]);
 * valid('s3cret') // → true
 */
export function apiKeyVerifier(hashes: readonly string[]): (presented: string) => boolean {
  const stored = hashes.map((hash) => {
    if (!isApiKeyHash(hash)) throw new TypeError('an API key hash must be 64 lower-case hex characters (SHA-256)');
    return Buffer.from(hash, 'hex');
  });
  return (presented) => {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let matched = false;
    for (const hash of stored) matched = timingSafeEqual(digest, hash) || matched;
    return matched;
  };
}
