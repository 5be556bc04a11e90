/**
 * Record signatures for the delta check: 64 bits, 16 hex characters. A user is sent again when the
 * signature of their record differs from the one last synced, so what matters is that a changed record
 * almost surely changes its signature: the new signature is compared with that same user's previous
 * one (no birthday bound across users), so a change goes unnoticed with probability about 2^-64 —
 * about 5·10^-13 for a run changing ten million users. Signatures are not a security boundary (someone
 * who can craft catalogue text gains at most that a user's list is not re-sent), so a fast
 * non-cryptographic hash is enough where it pays:
 * - recordSignature: SHA-1 of the record's JSON text (first 64 bits), for records built as objects;
 * - SignatureBuilder: for records assembled from parts serialised once (the Braze fast path), a hash
 *   of the parts' own hashes — two MurmurHash3 lanes with different seeds — instead of hashing the
 *   whole text of every record (it was a tenth of a large run's time).
 */
import { hash } from 'node:crypto';

export const SIGNATURE_LENGTH = 16;

/**
 * @example
 * recordSignature('{"external_id":"u1","recs_id":["a"]}') // '8c2e…' (16 hex characters)
 */
export function recordSignature(json: string): string {
  return hash('sha1', json, 'hex').slice(0, SIGNATURE_LENGTH);
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** One MurmurHash3 (x86, 32-bit) block step. */
function mix(h: number, word: number): number {
  let k = Math.imul(word, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  const x = h ^ k;
  return (Math.imul((x << 13) | (x >>> 19), 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finalisation: every input bit reaches every output bit. */
function finish(h: number, length: number): number {
  let x = h ^ length;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const SEED_A = 0x9747b28c;
const SEED_B = 0x5bd1e995;

/** A 64-bit hash of a text, as two 32-bit halves. */
export function textHash(text: string): [number, number] {
  let a = SEED_A;
  let b = SEED_B;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = mix(a, c);
    b = mix(b, c);
  }
  return [finish(a, text.length), finish(b, text.length)];
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/**
 * Folds a record's parts into a signature: start with what is the same for every record of the
 * formatter (its configuration), then the user, then each part's 64-bit hash in order.
 *
 * @example
 * const builder = new SignatureBuilder(textHash('prefix|fields'));
 * builder.start(userId);
 * for (const item of items) builder.add(item.hashA, item.hashB);
 * builder.finish(); // 16 hex characters
 */
export class SignatureBuilder {
  private a = 0;
  private b = 0;
  private parts = 0;

  constructor(private readonly seed: readonly [number, number]) {}

  start(userId: string): void {
    let a = this.seed[0];
    let b = this.seed[1];
    for (let i = 0; i < userId.length; i++) {
      const c = userId.charCodeAt(i);
      a = mix(a, c);
      b = mix(b, c);
    }
    // The user's length ends the user: "ab" + part ≠ "a" + part'.
    this.a = mix(a, userId.length);
    this.b = mix(b, ~userId.length);
    this.parts = 0;
  }

  add(hashA: number, hashB: number): void {
    this.a = mix(mix(this.a, hashA), hashB);
    this.b = mix(mix(this.b, hashB), hashA);
    this.parts++;
  }

  finish(): string {
    return hex8(finish(this.a, this.parts)) + hex8(finish(this.b, ~this.parts));
  }
}
