/**
 * Compression of inference responses: the encoding a client's Accept-Encoding allows, only where the
 * runtime passes compressed bodies through (an HTTP API or ALB event here; the Node server in
 * node/cache-shortcut.test.ts), and compressed bytes kept on the cache entry so a hit never compresses again.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CachedResponse } from '../../data-plane/cache/response-store.ts';
import { encodedBody, preferredEncoding, runtimeDeliversCompressed } from '../../data-plane/compression.ts';
import { buildApp } from '../../data-plane/wiring.ts';
import { silentLogger } from '../../shared/logger.ts';
import { fakeOrigin, manualClock, swappableConfig, unusedClients } from '../helpers/fake-origin.ts';

describe('compression', () => {
  it('prefers brotli, then gzip, honouring q=0 and *', () => {
    expect(preferredEncoding(undefined)).toBeUndefined();
    expect(preferredEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(preferredEncoding('gzip;q=1.0, br;q=0')).toBe('gzip');
    expect(preferredEncoding('GZIP')).toBe('gzip');
    expect(preferredEncoding('*')).toBe('br');
    expect(preferredEncoding('*, br;q=0')).toBe('gzip');
    expect(preferredEncoding('identity, deflate')).toBeUndefined();
    expect(preferredEncoding('br;q=0, gzip;q=0')).toBeUndefined();
  });

  it('leaves small bodies plain and keeps compressed copies on the cache entry', () => {
    expect(encodedBody(new Uint8Array(100), 'br')).toEqual({ body: new Uint8Array(100) });
    const body = Buffer.from(
      JSON.stringify({ itemList: Array.from({ length: 50 }, (_, i) => ({ itemId: `item-${i}` })) }),
    );
    const entry = { body } as unknown as CachedResponse;
    const br = encodedBody(body, 'br', entry);
    expect(br.encoding).toBe('br');
    expect(brotliDecompressSync(br.body)).toEqual(body);
    expect(encodedBody(body, 'br', entry).body).toBe(br.body);
    const gzip = encodedBody(body, 'gzip', entry);
    expect(gunzipSync(gzip.body)).toEqual(body);
    expect(entry.encoded).toEqual({ br: br.body, gzip: gzip.body });
  });

  it('compresses behind an HTTP API or an ALB, not behind a REST API or without a runtime', () => {
    expect(runtimeDeliversCompressed({ event: { requestContext: { http: { method: 'GET' } } } })).toBe(true);
    expect(runtimeDeliversCompressed({ event: { requestContext: { elb: { targetGroupArn: 'arn' } } } })).toBe(true);
    expect(runtimeDeliversCompressed({ event: { requestContext: { httpMethod: 'GET', stage: 'prod' } } })).toBe(false);
    expect(runtimeDeliversCompressed(undefined)).toBe(false);
  });

  it('answers an HTTP API request asking for gzip with gzip, from the pipeline and then the cache', async () => {
    const origin = fakeOrigin();
    const app = buildApp({
      config: swappableConfig({
        version: '1',
        cacheControl: { userSpecified: { maxAge: 30, directives: 'private' } },
        namespaces: {
          shop: {
            recommenders: { 'recommend-items': { top: { variations: { a: { type: 'http', url: 'http://o.test' } } } } },
          },
        },
      }),
      clients: unusedClients(),
      resolvers: { http: origin.resolver },
      logger: silentLogger,
      clock: manualClock().now,
    });
    const httpApi = { event: { requestContext: { http: { method: 'GET' } } } };
    const ask = (encoding: string, env: unknown) =>
      app.request('/recommend-items/shop/top/u1?numResults=60', { headers: { 'accept-encoding': encoding } }, env);
    const miss = await ask('gzip', httpApi);
    expect(miss.headers.get('content-encoding')).toBe('gzip');
    expect(miss.headers.get('vary')).toBe('Accept-Encoding');
    const plain = JSON.parse(gunzipSync(Buffer.from(await miss.arrayBuffer())).toString());
    expect(plain.itemList).toHaveLength(60);
    const hit = await ask('gzip', httpApi);
    expect(hit.headers.get('x-cache')).toBe('hit');
    expect(JSON.parse(gunzipSync(Buffer.from(await hit.arrayBuffer())).toString())).toEqual(plain);
    const rest = await ask('gzip', { event: { requestContext: { httpMethod: 'GET' } } });
    expect(rest.headers.get('content-encoding')).toBeNull();
    expect(await rest.json()).toEqual(plain);
    expect(origin.calls).toHaveLength(1);
  });
});
