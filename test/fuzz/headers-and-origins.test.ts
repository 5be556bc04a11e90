/**
 * Property-based hardening, second part (issue 13): random values of the headers context rules and
 * authentication read — time zone, device, latitude, `If-None-Match`, `Authorization` — and random origin
 * answers — any status, size and body shape. Whatever arrives, nothing is a 500, errors are
 * `{type, code, message}` JSON (5xx with a `requestId`), no body shows the origin's host or words, a
 * request fault of the origin is a 400, and only an ETag this server issued for the request gets a 304.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../data-plane/auth/api-keys.ts';
import { authMiddleware } from '../../data-plane/auth/middleware.ts';
import { httpResolver } from '../../data-plane/origins/http.ts';
import { buildApp } from '../../data-plane/wiring.ts';
import { silentLogger } from '../../shared/logger.ts';
import { fakeOrigin, swappableConfig, unusedClients } from '../helpers/fake-origin.ts';

/** Cases per property; `FUZZ_RUNS=5000 npx vitest run test/fuzz` digs deeper. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const API_KEY = 'fuzz-key-0123456789';

const config = {
  version: 'fuzz-headers',
  cacheControl: { userSpecified: { maxAge: 30, directives: 'private' }, noUserSpecified: { maxAge: 60 } },
  namespaces: {
    shop: {
      autoContext: {
        device: {
          type: 'string',
          default: 'Desktop',
          rules: [
            {
              type: 'header-value',
              header: 'cloudfront-is-mobile-viewer',
              valueMappings: [{ operator: 'equals', value: 'true', mapTo: 'Phone' }],
            },
          ],
        },
        latitude: { type: 'float', rules: [{ type: 'header-value', header: 'cloudfront-viewer-latitude' }] },
        hour: { type: 'integer', rules: [{ type: 'hour-of-day' }] },
        season: { type: 'integer', rules: [{ type: 'season' }] },
      },
      recommenders: {
        'recommend-items': {
          top: { variations: { a: { type: 'http', url: 'http://origin.test/a' } } },
          remote: { variations: { a: { type: 'http', url: 'http://10.9.8.7:4321/recs', timeoutMs: 500 } } },
        },
      },
    },
  },
};

/** Things that only appear in a body when internals leak: stack frames, files, the origin's address. */
const LEAK =
  /\n\s+at |\.tsx?:\d+|\.m?js:\d+|node:internal|file:\/\/|\/work\/|node_modules|10\.9\.8\.7|4321|ORIGIN-SAYS/;

async function assertWellBehaved(res: Response, what: string): Promise<void> {
  const text = await res.text();
  const where = `${what} → ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, where).not.toBe(500);
  // The requestId is a random UUID, which can hold "4321" by chance: it is checked for shape, not leaks.
  expect(LEAK.test(text.replace(/"requestId":"[0-9a-f-]{36}"/, '')), where).toBe(false);
  if (res.status >= 400) {
    const body = JSON.parse(text) as Record<string, unknown>;
    const keys = ['code', 'message', 'type', ...(res.status >= 500 ? ['requestId'] : [])].sort();
    expect(Object.keys(body).sort(), where).toEqual(keys);
  }
}

const printable = (maxLength: number) =>
  fc.string({ unit: 'grapheme-ascii', maxLength }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim());

const timeZone = fc.oneof(
  printable(40),
  fc.constantFrom('Europe/Paris', 'europe/paris', 'EUROPE/PARIS', 'UTC', 'Etc/GMT+14', 'Nowhere/City', '+99:99', ''),
  fc
    .constantFrom(...Intl.supportedValuesOf('timeZone'))
    .chain((zone) =>
      fc
        .array(fc.boolean(), { minLength: zone.length, maxLength: zone.length })
        .map((upper) => [...zone].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch.toLowerCase())).join('')),
    ),
);
const latitude = fc.oneof(
  fc.double().map(String),
  fc.constantFrom('-91.5', '90', '-0', 'NaN', 'Infinity', '1e309', '', ' 45 ', '45,5'),
  printable(20),
);
const device = fc.oneof(fc.constantFrom('true', 'false', 'TRUE', '', '1'), printable(20));
const authorization = fc.oneof(
  printable(80),
  fc.constant(`Bearer ${API_KEY}`),
  fc
    .string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.'), maxLength: 200 })
    .map((s) => `Bearer ${s}.${s}.${s}`),
  fc.constantFrom('Bearer', 'Bearer ', 'Basic dTpw', 'bearer a.b.c', `Bearer ${'a'.repeat(9000)}`),
);
const etag = fc.oneof(
  printable(80),
  fc
    .tuple(
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 8, maxLength: 64 }),
      fc.oneof(fc.nat(), fc.constant(Date.now())),
      fc.nat({ max: 1e9 }),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 16, maxLength: 16 }),
    )
    .map(([sum, issued, maxAge, mac]) => `"${sum}-${issued}-${maxAge}-${mac}"`),
  fc.constantFrom('*', '""', 'W/', `"${'a'.repeat(5000)}"`),
);

const headers = fc.record(
  {
    'cloudfront-viewer-time-zone': timeZone,
    'cloudfront-viewer-latitude': latitude,
    'cloudfront-is-mobile-viewer': device,
    'if-none-match': fc.oneof(
      etag,
      fc.array(etag, { maxLength: 4 }).map((l) => l.join(', ')),
    ),
    authorization,
    'x-api-key': fc.oneof(printable(40), fc.constant(API_KEY)),
  },
  { requiredKeys: [] },
);

describe('fuzzed headers', () => {
  const app = buildApp({
    config: swappableConfig(config),
    clients: unusedClients(),
    resolvers: { http: fakeOrigin().resolver },
    logger: silentLogger,
    auth: authMiddleware({ apiKeyHashes: [hashApiKey(API_KEY)] }, silentLogger),
  });

  it('time zone, device, latitude, If-None-Match and Authorization never make a 5xx, and no forged ETag a 304', async () => {
    await fc.assert(
      fc.asyncProperty(headers, async (h) => {
        const res = await app.request('http://localhost/recommend-items/shop/top/u1', { headers: h });
        expect(res.status, JSON.stringify(h)).not.toBe(304);
        const key = h['x-api-key'] === API_KEY;
        if (!key) expect(res.status, JSON.stringify(h)).toBe(401);
        await assertWellBehaved(res, JSON.stringify(h));
      }),
      { numRuns: RUNS },
    );
  });
});

/** An origin answer: any status fetch can represent, any size, any shape. */
const originBody = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc
    .array(
      fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.record({ itemId: fc.oneof(fc.string(), fc.integer()), score: fc.anything() }),
      ),
      {
        maxLength: 50,
      },
    )
    .map((itemList) => JSON.stringify({ itemList })),
  fc.constantFrom('', 'ORIGIN-SAYS internal error at /srv/app.py:12', '{"itemList":', '<html>ORIGIN-SAYS</html>'),
  fc.nat({ max: 3 }).map((n) => `{"itemList":[${'"x",'.repeat(100_000 * n)}"x"]}`),
);
const status = fc.oneof(fc.integer({ min: 200, max: 599 }), fc.constantFrom(200, 400, 404, 422, 429, 500, 502, 503));
const NULL_BODY = new Set([204, 205, 304]);

describe('fuzzed origin answers', () => {
  it('any status, size and body shape gives 200, 400, 429 or 502, never a 500 or the origin’s words', async () => {
    await fc.assert(
      fc.asyncProperty(status, originBody, async (code, text) => {
        const fetchImpl = (async () =>
          new Response(NULL_BODY.has(code) ? null : text, { status: code })) as unknown as typeof fetch;
        const app = buildApp({
          config: swappableConfig(config),
          clients: unusedClients(),
          resolvers: { http: httpResolver(fetchImpl) },
          logger: silentLogger,
          responseCache: false,
          circuitBreaker: false,
        });
        const res = await app.request('http://localhost/recommend-items/shop/remote/u1');
        const what = `origin ${code} ${text.slice(0, 80)}`;
        expect([200, 400, 429, 502], what).toContain(res.status);
        if (text.length > 1024 * 1024) expect(res.status, what).toBe(502);
        else if (code === 429) expect(res.status, what).toBe(429);
        else if (code >= 500 || code === 401 || code === 403) expect(res.status, what).toBe(502);
        else if (code === 400 || code === 404 || code === 422) expect(res.status, what).toBe(400);
        await assertWellBehaved(res, what);
      }),
      { numRuns: RUNS },
    );
  });
});
