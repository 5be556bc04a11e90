/**
 * ETags that carry their own expiry: `"{checksum}-{issuedAtMillis}-{maxAgeSeconds}"`. A request whose
 * `If-None-Match` holds one of ours that has not expired gets a 304 without an origin call. Anything
 * else in the header (other formats, garbage, `*`) is ignored.
 */
import { createHash } from 'node:crypto';

export interface ParsedEtag {
  checksum: string;
  issuedAt: number;
  maxAge: number;
}

const ETAG = /^(?:W\/)?"?([0-9a-f]{8,64})-(\d{1,15})-(\d{1,9})"?$/;

/**
 * @example
 * makeEtag('{"itemList":[]}', 1767225600000, 60) // → '"3b5d…-1767225600000-60"'
 */
export function makeEtag(body: string, issuedAt: number, maxAge: number): string {
  const checksum = createHash('sha1').update(body).digest('hex').slice(0, 20);
  return `"${checksum}-${issuedAt}-${maxAge}"`;
}

export function parseEtag(value: string): ParsedEtag | undefined {
  const m = ETAG.exec(value.trim());
  if (!m) return undefined;
  return { checksum: m[1]!, issuedAt: Number(m[2]), maxAge: Number(m[3]) };
}

/** The first unexpired ETag of ours in an `If-None-Match` header, if any. */
export function freshEtag(ifNoneMatch: string | undefined, now: number): string | undefined {
  if (!ifNoneMatch || ifNoneMatch.length > 4096) return undefined;
  for (const candidate of ifNoneMatch.split(',')) {
    const etag = parseEtag(candidate);
    if (etag && etag.issuedAt <= now && now < etag.issuedAt + etag.maxAge * 1000) return candidate.trim();
  }
  return undefined;
}
