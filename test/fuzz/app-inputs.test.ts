/**
 * Property-based hardening: random paths, query strings, ETags, headers and bodies thrown at the app
 * (zero-latency fake origin, static configuration). Whatever arrives, the answer is below 500, every
 * 4xx is a `{type, code, message}` JSON error, and no body carries a stack trace or a file path.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INFERENCE_QUERY_PARAMETERS } from '../../contracts/inference-query.ts';
import { MAX_BODY_BYTES } from '../../data-plane/pipeline/inference-routes.ts';
import { buildApp } from '../../data-plane/wiring.ts';
import { silentLogger } from '../../shared/logger.ts';
import { fakeOrigin, swappableConfig, unusedClients } from '../helpers/fake-origin.ts';

/** Cases per property; `FUZZ_RUNS=5000 npx vitest run test/fuzz` digs deeper. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const headerRule = (header: string) => ({
  type: 'string',
  default: 'none',
  rules: [
    {
      type: 'header-value',
      header,
      valueMappings: [
        { operator: 'contains', value: 'iPhone', mapTo: 'Phone' },
        { operator: 'greater-than', value: 10, mapTo: 'Big' },
      ],
    },
  ],
});

const config = {
  version: 'fuzz',
  cacheControl: { userSpecified: { maxAge: 30, directives: 'private' }, noUserSpecified: { maxAge: 60 } },
  namespaces: {
    shop: {
      inferenceItemMetadata: { type: 'localdb' },
      autoContext: {
        device: headerRule('user-agent'),
        size: headerRule('x-size'),
        hour: { type: 'integer', rules: [{ type: 'hour-of-day' }] },
        season: { type: 'integer', rules: [{ type: 'season' }] },
      },
      recommenders: {
        'recommend-items': {
          top: {
            maxNumResults: 100,
            experiments: { exp: { method: 'hash', weights: { a: 50, b: 50 } } },
            variations: {
              a: { type: 'http', url: 'http://origin.test/a', fallback: 'b' },
              b: { type: 'http', url: 'http://origin.test/b' },
            },
          },
        },
        'related-items': { similar: { variations: { a: { type: 'http', url: 'http://origin.test/a' } } } },
        'rerank-items': { ranking: { variations: { a: { type: 'http', url: 'http://origin.test/a' } } } },
      },
    },
  },
};

const app = buildApp({
  config: swappableConfig(config),
  clients: unusedClients(),
  resolvers: { http: fakeOrigin().resolver },
  itemMetadata: () => ({
    getMany: async (ids) => new Map(ids.filter((id) => id.length % 2 === 0).map((id) => [id, { title: `T ${id}` }])),
  }),
  logger: silentLogger,
});

/** Things that only appear in a body when internals leak: stack frames, source files, absolute paths. */
const LEAK = /\n\s+at |\bat [\w.<>]+ \(|\.tsx?:\d+|\.m?js:\d+|node:internal|file:\/\/|\/work\/|node_modules/;

async function assertWellBehaved(res: Response, what: string): Promise<void> {
  const text = await res.text();
  const where = `${what} → ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, where).toBeLessThan(500);
  expect(LEAK.test(text), where).toBe(false);
  if (res.status >= 400) {
    expect(res.headers.get('content-type'), where).toContain('application/json');
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body).sort(), where).toEqual(['code', 'message', 'type']);
    expect(body.type, where).toBe('ClientError');
    expect(typeof body.code === 'string' && typeof body.message === 'string', where).toBe(true);
  } else if (res.status === 200) {
    expect(() => JSON.parse(text), where).not.toThrow();
  }
}

/** Path segments: plain, percent-encoded anything, malformed escapes, dot segments, commas, very long. */
const segment = fc.oneof(
  fc.webSegment(),
  fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom('%', '%zz', '%c3%28', '%ff', '%00', '..', '.', '%2e%2e', '%2F', 'a,b,,c', '%2C', ',', '', '~'),
  fc.string({ unit: 'grapheme-ascii', minLength: 250, maxLength: 600 }).map(encodeURIComponent),
  fc.array(fc.constantFrom('x', '%2C', ',', '%'), { minLength: 1, maxLength: 600 }).map((parts) => parts.join('')),
);

const route = fc.constantFrom(
  '/recommend-items/shop/top',
  '/related-items/shop/similar',
  '/rerank-items/shop/ranking',
  '/rerank-items/shop/ranking/u1',
  '/recommend-items/nope/top',
  '/recommend-items/shop',
  '/events/shop',
  '/openapi.json',
  '',
);

const path = fc
  .tuple(route, fc.array(segment, { maxLength: 4 }))
  .map(([prefix, rest]) => `${prefix}/${rest.join('/')}`.replace(/^\/\//, '/'));

const PARAMS = INFERENCE_QUERY_PARAMETERS;

const queryValue = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()))
    .map((v) => JSON.stringify(v)),
  fc.bigInt().map(String),
  fc.double().map(String),
  fc.constantFrom(
    '',
    ' ',
    '1e999',
    '-1',
    '0x10',
    '00000000025',
    'exp',
    'TRUE',
    '%',
    '{',
    '[]',
    'null',
    'x'.repeat(9000),
  ),
);

const rawQueryPart = fc.oneof(
  fc.tuple(fc.constantFrom(...PARAMS), queryValue).map(([k, v]) => `${k}=${encodeURIComponent(v)}`),
  fc.tuple(fc.constantFrom(...PARAMS), fc.string({ maxLength: 20 })).map(([k, v]) => `${k}=${v.replace(/[#\s]/g, '')}`),
  fc.constantFrom(
    'numResults',
    'numResults=',
    '=',
    '&&',
    'context=%',
    'context=%7B',
    'a=%zz',
    '__proto__=1',
    'constructor=x',
  ),
  fc.webQueryParameters(),
);

const query = fc.array(rawQueryPart, { maxLength: 6 }).map((parts) => (parts.length ? `?${parts.join('&')}` : ''));

/** Header values a client can send (visible ASCII and spaces; Fetch refuses control characters). */
const headerValue = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim()),
  fc.constantFrom('Europe/Paris', 'Nowhere/City', 'UTC', '+99:99', '-91.5', 'NaN', 'Infinity', '1e309', ''),
);

const etag = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  fc
    .tuple(
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 8, maxLength: 64 }),
      fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: 10n ** 20n }).map(Number), fc.constant(Date.now())),
      fc.oneof(fc.nat({ max: 1e9 }), fc.constant(999_999_999)),
      fc.boolean(),
    )
    .map(([sum, issued, maxAge, weak]) => `${weak ? 'W/' : ''}"${sum}-${issued}-${maxAge}"`),
  fc.constantFrom('*', '""', '"', ',,,', 'W/', `"${'a'.repeat(5000)}"`),
);

const headers = fc.record(
  {
    'user-agent': headerValue,
    'x-size': headerValue,
    'cloudfront-viewer-time-zone': headerValue,
    'cloudfront-viewer-latitude': headerValue,
    'if-none-match': fc.oneof(
      etag,
      fc.array(etag, { maxLength: 5 }).map((list) => list.join(', ')),
    ),
    'content-type': fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
    authorization: headerValue,
  },
  { requiredKeys: [] },
);

const body = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc
    .array(fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), fc.constant(null)), { maxLength: 600 })
    .map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', '[', '[""]', '["a",', '{"__proto__":{"x":1}}', `[${'['.repeat(5000)}`, '\u0000', 'null'),
  fc.nat({ max: 3 }).map((n) => JSON.stringify(Array(600 + n * 1000).fill('item'))),
);

const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');

describe('fuzzed requests never get a 5xx, a non-JSON error or a stack trace', () => {
  it('random paths and query strings', async () => {
    await fc.assert(
      fc.asyncProperty(path, query, async (p, q) => {
        await assertWellBehaved(await app.request(`http://localhost${p}${q}`), `GET ${p}${q}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('random query strings on a valid route', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/recommend-items/shop/top/u1',
          '/related-items/shop/similar/i1',
          '/rerank-items/shop/ranking/u1/a,b,c',
        ),
        query,
        async (p, q) => {
          await assertWellBehaved(await app.request(`http://localhost${p}${q}`), `GET ${p}${q}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('random ETags and headers', async () => {
    await fc.assert(
      fc.asyncProperty(headers, query, async (h, q) => {
        const res = await app.request(`http://localhost/recommend-items/shop/top/u1${q}`, { headers: h });
        await assertWellBehaved(res, `GET with ${JSON.stringify(h)}${q}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('random methods and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, body, headers, async (m, p, b, h) => {
        const init: RequestInit = { method: m, headers: h };
        if (m !== 'GET' && m !== 'HEAD') init.body = b;
        const res = await app.request(`http://localhost${p}`, init);
        if (m !== 'HEAD') await assertWellBehaved(res, `${m} ${p} ${b.slice(0, 80)}`);
        else expect(res.status).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  });

  it('random bodies on POST rerank-items', async () => {
    await fc.assert(
      fc.asyncProperty(body, query, async (b, q) => {
        const res = await app.request(`http://localhost/rerank-items/shop/ranking/u1${q}`, { method: 'POST', body: b });
        await assertWellBehaved(res, `POST rerank ${b.slice(0, 80)}${q}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('an oversized body is a 413 JSON error', async () => {
    const big = JSON.stringify(Array(MAX_BODY_BYTES / 4).fill('abc'));
    const res = await app.request('http://localhost/rerank-items/shop/ranking/u1', { method: 'POST', body: big });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      type: 'ClientError',
      code: 'PayloadTooLarge',
      message: `request body exceeds ${MAX_BODY_BYTES} bytes`,
    });
  });
});
