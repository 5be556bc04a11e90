/**
 * ETags that carry their own expiry and say what they were issued for:
 * `"{checksum}-{issuedAtMillis}-{maxAgeSeconds}-{mac}"`, where the MAC (HMAC-SHA256 under a key made
 * once per process) binds the tag to the request it answered and the configuration version. A request
 * whose `If-None-Match` holds a tag this process issued for this very request and configuration, not yet
 * expired, gets a 304 without an origin call; a made-up or borrowed tag (another URL, another
 * configuration, another process) is ignored and the request is answered in full. Anything else in the
 * header (other formats, garbage, `*`) is ignored too.
 */
import * as crypto from 'node:crypto';
import { hashOnce } from '../hash-once.ts';
import type { InferenceRequest } from './serve-inference.ts';

export interface ParsedEtag {
  checksum: string;
  issuedAt: number;
  maxAge: number;
  mac: string;
}

const ETAG = /^(?:W\/)?"?([0-9a-f]{8,64})-(\d{1,15})-(\d{1,9})-([0-9a-f]{16})"?$/;

/** Per process: a restart or another instance answers in full once, which only costs a 200. */
const MAC_KEY = crypto.randomBytes(32);

const mac = (scope: string, checksum: string, issuedAt: number, maxAge: number) =>
  crypto.createHmac('sha256', MAC_KEY).update(`${scope}\n${checksum}-${issuedAt}-${maxAge}`).digest('hex').slice(0, 16);

/**
 * `scope` names what was served: the configuration version and the request (see `etagScope`).
 *
 * @example
 * makeEtag('{"itemList":[]}', 1767225600000, 60, scope) // → '"3b5d…-1767225600000-60-9f2c…"'
 */
export function makeEtag(body: string, issuedAt: number, maxAge: number, scope: string): string {
  const checksum = hashOnce('sha1', body, 'hex').slice(0, 20);
  return `"${checksum}-${issuedAt}-${maxAge}-${mac(scope, checksum, issuedAt, maxAge)}"`;
}

export function parseEtag(value: string): ParsedEtag | undefined {
  const m = ETAG.exec(value.trim());
  if (!m) return undefined;
  return { checksum: m[1]!, issuedAt: Number(m[2]), maxAge: Number(m[3]), mac: m[4]! };
}

/** The first unexpired ETag issued here for `scope` in an `If-None-Match` header, if any. */
export function freshEtag(ifNoneMatch: string | undefined, now: number, scope: string): string | undefined {
  if (!ifNoneMatch || ifNoneMatch.length > 4096) return undefined;
  for (const candidate of ifNoneMatch.split(',')) {
    const etag = parseEtag(candidate);
    if (!etag || etag.issuedAt > now || now >= etag.issuedAt + etag.maxAge * 1000) continue;
    if (etag.mac === mac(scope, etag.checksum, etag.issuedAt, etag.maxAge)) return candidate.trim();
  }
  return undefined;
}

/** What a GET answer depends on besides headers: configuration version, route and query. */
export function etagScope(
  configVersion: string,
  request: Pick<InferenceRequest, 'action' | 'namespace' | 'recommender' | 'userId' | 'itemId' | 'itemList' | 'query'>,
): string {
  const query = Object.entries(request.query)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([
    configVersion,
    request.action,
    request.namespace,
    request.recommender,
    request.userId ?? null,
    request.itemId ?? null,
    request.itemList ?? null,
    query,
  ]);
}
