/**
 * The Node server's cache-hit shortcut, over a real socket: repeated GETs are answered from memory
 * with the same bytes and headers the app gives, and every request the shortcut must not answer
 * (other header values, conditional requests, new configuration, expiry, authentication) reaches the app.
 */
import { get as httpGet, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ResponseInfo } from '../../../data-plane/app.ts';
import { hashApiKey } from '../../../data-plane/auth/api-keys.ts';
import { authMiddleware } from '../../../data-plane/auth/middleware.ts';
import { NodeCacheShortcut } from '../../../data-plane/node/cache-shortcut.ts';
import { createNodeServer } from '../../../data-plane/node/server.ts';
import { type AppOptions, buildApp } from '../../../data-plane/wiring.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { fakeOrigin, manualClock, swappableConfig, unusedClients } from '../../helpers/fake-origin.ts';

const config = (version = '1') => ({
  version,
  cacheControl: { userSpecified: { maxAge: 30, directives: 'private' } },
  namespaces: {
    shop: {
      autoContext: {
        device: {
          type: 'string',
          rules: [
            {
              type: 'header-value',
              header: 'x-device',
              valueMappings: [{ operator: 'contains', value: 'phone', mapTo: 'Phone' }],
            },
          ],
        },
      },
      recommenders: {
        'recommend-items': {
          top: { variations: { a: { type: 'http', url: 'http://origin.test' } } },
          ab: {
            experiments: { split: { method: 'hash', weights: { a: 50, b: 50 } } },
            variations: {
              a: { type: 'http', url: 'http://origin.test' },
              b: { type: 'http', url: 'http://origin.test' },
            },
          },
        },
      },
    },
  },
});

let origin: ReturnType<typeof fakeOrigin>;
let clock: ReturnType<typeof manualClock>;
let provider: ReturnType<typeof swappableConfig>;
let appResponses: ResponseInfo[];
let shortcutResponses: ResponseInfo[];
let server: Server;
let base: string;

async function start(overrides: Partial<AppOptions> = {}) {
  const shortcut = new NodeCacheShortcut({
    config: provider,
    clock: clock.now,
    onResponse: (i) => shortcutResponses.push(i),
  });
  const app = buildApp({
    config: provider,
    clients: unusedClients(),
    resolvers: { http: origin.resolver },
    logger: silentLogger,
    clock: clock.now,
    onResponseCached: shortcut.remember,
    onResponse: (i) => appResponses.push(i),
    ...overrides,
  });
  server = createNodeServer(app.fetch, { shortcut });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeEach(() => {
  origin = fakeOrigin();
  clock = manualClock();
  provider = swappableConfig(config());
  appResponses = [];
  shortcutResponses = [];
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const PATH = '/recommend-items/shop/top/u1?numResults=3';
const headersOf = (res: Response) => Object.fromEntries([...res.headers].filter(([name]) => name !== 'date'));

describe('cache-hit shortcut of the Node server', () => {
  it('answers a repeated GET from memory with the bytes and headers of the app', async () => {
    await start();
    const first = await fetch(base + PATH);
    const firstBody = await first.text();
    // The app's answer leaves its route with the middleware's headers already on it.
    expect(headersOf(first)).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-expose-headers': expect.stringContaining('X-Personalization-Config-Version'),
      'x-personalization-config-version': '1',
      'x-cache': 'miss',
      vary: expect.stringContaining('Accept-Encoding'),
    });
    clock.advance(4_000);
    const res = await fetch(base + PATH);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(firstBody);
    expect(headersOf(res)).toEqual({
      ...headersOf(first),
      'x-cache': 'hit',
      age: '4',
      'content-length': String(Buffer.byteLength(firstBody)),
    });
    expect(origin.calls).toHaveLength(1);
    expect(appResponses).toHaveLength(1);
    expect(shortcutResponses).toEqual([
      { method: 'GET', path: '/recommend-items/shop/top/u1', status: 200, durationMs: expect.any(Number) },
    ]);
  });

  it('registers the responses of a new configuration once it has seen it', async () => {
    await start();
    await fetch(base + PATH);
    provider.set(config('2'));
    await fetch(`${base}/recommend-items/shop/top/u2`); // the shortcut learns the new configuration
    await fetch(base + PATH); // miss through the app, stored and registered
    const res = await fetch(base + PATH);
    expect(res.headers.get('x-cache')).toBe('hit');
    expect(res.headers.get('x-personalization-config-version')).toBe('2');
    expect(shortcutResponses).toHaveLength(1);
  });

  it('keeps requests apart by every value of the headers rules read, duplicates included', async () => {
    await start();
    const ask = (headers: [string, string][]) => fetch(base + PATH, { headers });
    await ask([['x-device', 'phone']]);
    await ask([
      ['x-device', 'desk'],
      ['x-device', 'phone'],
    ]);
    expect(origin.calls.map((c) => c.context)).toEqual([{ device: 'Phone' }, { device: 'Phone' }]);
    await ask([['x-device', 'desk']]);
    expect(origin.calls).toHaveLength(3);
    expect(await (await ask([['x-device', 'phone']])).text()).toContain('itemList');
    expect(shortcutResponses).toHaveLength(1);
    // Not sent and sent empty are two requests; each is answered from memory the second time.
    await ask([]);
    await ask([['x-device', '']]);
    expect(origin.calls).toHaveLength(5);
    expect((await ask([])).headers.get('x-cache')).toBe('hit');
    expect((await ask([['x-device', '']])).headers.get('x-cache')).toBe('hit');
    expect(origin.calls).toHaveLength(5);
  });

  it('leaves conditional requests, HEAD and POST to the app', async () => {
    await start();
    const first = await fetch(base + PATH);
    const etag = first.headers.get('etag')!;
    expect((await fetch(base + PATH, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    expect((await fetch(base + PATH, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(base + PATH, { method: 'POST', body: '[]' })).status).toBe(405);
    expect(shortcutResponses).toHaveLength(0);
  });

  it('forgets everything when the configuration changes', async () => {
    await start();
    await fetch(base + PATH);
    provider.set(config('2'));
    const res = await fetch(base + PATH);
    expect(res.headers.get('x-personalization-config-version')).toBe('2');
    expect(res.headers.get('x-cache')).toBe('miss');
    expect(origin.calls).toHaveLength(2);
  });

  it('hands an expired entry back to the app', async () => {
    await start();
    await fetch(base + PATH);
    clock.advance(30_000);
    expect((await fetch(base + PATH)).headers.get('x-cache')).toBe('miss');
    expect(origin.calls).toHaveLength(2);
    expect(shortcutResponses).toHaveLength(0);
  });

  it('is not used when authentication is on: every request meets it', async () => {
    await start({ auth: authMiddleware({ apiKeyHashes: [hashApiKey('k')] }, silentLogger) });
    expect((await fetch(base + PATH, { headers: { 'X-Api-Key': 'k' } })).status).toBe(200);
    expect((await fetch(base + PATH, { headers: { 'X-Api-Key': 'k' } })).status).toBe(200);
    expect((await fetch(base + PATH)).status).toBe(401);
    expect(shortcutResponses).toHaveLength(0);
  });
});

describe('experiment responses', () => {
  it('always take the app path, so each serving records its exposure', async () => {
    await start();
    const first = await fetch(`${base}/recommend-items/shop/ab/u1`);
    const second = await fetch(`${base}/recommend-items/shop/ab/u1`);
    expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['miss', 'hit']);
    expect(appResponses).toHaveLength(2);
    expect(shortcutResponses).toHaveLength(0);
  });

  it('answers with brotli or gzip as Accept-Encoding asks, from the app and from memory, the same bytes each time', async () => {
    await start();
    const big = '/recommend-items/shop/top/u1?numResults=100';
    const get = (path: string, headers: Record<string, string | string[]> = {}) =>
      new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        httpGet(base + path, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        }).on('error', reject);
      });
    const missBr = await get(big, { 'accept-encoding': 'gzip, deflate, br' });
    expect(missBr.headers).toMatchObject({
      'x-cache': 'miss',
      'content-encoding': 'br',
      vary: 'x-device, Accept-Encoding',
    });
    const plain = await get(big);
    expect(plain.headers).toMatchObject({ 'x-cache': 'hit', vary: 'x-device, Accept-Encoding' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(plain.body.toString()).itemList).toHaveLength(100);
    expect(brotliDecompressSync(missBr.body)).toEqual(plain.body);

    const hitBr = await get(big, { 'accept-encoding': 'br' });
    expect(hitBr.headers).toMatchObject({
      'x-cache': 'hit',
      'content-encoding': 'br',
      vary: 'x-device, Accept-Encoding',
    });
    expect(hitBr.headers['content-length']).toBe(String(hitBr.body.length));
    expect(hitBr.body).toEqual(missBr.body);
    const hitGzip = await get(big, { 'accept-encoding': 'br;q=0, gzip' });
    expect(hitGzip.headers).toMatchObject({ 'x-cache': 'hit', 'content-encoding': 'gzip' });
    expect(gunzipSync(hitGzip.body)).toEqual(plain.body);
    expect(hitGzip.body.length).toBeLessThan(plain.body.length / 2);
    expect((await get(big, { 'accept-encoding': 'identity' })).headers['content-encoding']).toBeUndefined();
    // Several Accept-Encoding lines count together, as Node joins them.
    const joined = await get(big, { 'accept-encoding': ['identity', 'gzip'] });
    expect(joined.headers).toMatchObject({ 'x-cache': 'hit', 'content-encoding': 'gzip' });
    expect(origin.calls).toHaveLength(1);
    expect(appResponses).toHaveLength(1);

    // Age is right for an encoding first asked for after time has passed, and for the others after.
    const other = '/recommend-items/shop/top/u1?numResults=99';
    await get(other);
    clock.advance(3_000);
    expect((await get(other)).headers.age).toBe('3');
    const lateGzip = await get(other, { 'accept-encoding': 'gzip' });
    expect(lateGzip.headers).toMatchObject({ 'x-cache': 'hit', 'content-encoding': 'gzip', age: '3' });
    clock.advance(2_000);
    expect((await get(other, { 'accept-encoding': 'gzip' })).headers.age).toBe('5');
    expect((await get(other)).headers.age).toBe('5');
  });
});
