/**
 * Issue 13 item 8: a made-up ETag no longer gets a 304 for any URL. Only a tag issued for this very
 * request and configuration answers 304; an unknown recommender answers 404 whatever If-None-Match says.
 */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../data-plane/wiring.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { fakeOrigin, manualClock, swappableConfig, unusedClients } from '../../helpers/fake-origin.ts';

const config = (version: string) => ({
  version,
  cacheControl: { userSpecified: { maxAge: 60, directives: 'private' } },
  namespaces: {
    shop: {
      recommenders: { 'recommend-items': { top: { variations: { a: { type: 'http', url: 'http://o.test/' } } } } },
    },
  },
});

function setup(responseCache: boolean) {
  const clock = manualClock();
  const provider = swappableConfig(config('1'));
  const app = buildApp({
    config: provider,
    clients: unusedClients(),
    resolvers: { http: fakeOrigin().resolver },
    logger: silentLogger,
    clock: clock.now,
    ...(responseCache ? {} : { responseCache: false as const }),
  });
  return { app, clock, provider };
}

const ifNoneMatch = (etag: string) => ({ headers: { 'If-None-Match': etag } });

describe.each([true, false])('conditional requests (response cache %s)', (responseCache) => {
  it('answers 304 to the ETag it issued for the same request', async () => {
    const { app } = setup(responseCache);
    const first = await app.request('/recommend-items/shop/top/u1');
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    expect((await app.request('/recommend-items/shop/top/u1', ifNoneMatch(etag))).status).toBe(304);
  });

  it('ignores a made-up ETag', async () => {
    const { app, clock } = setup(responseCache);
    const forged = `"${'a'.repeat(20)}-${clock.now()}-3600"`;
    expect((await app.request('/recommend-items/shop/top/u1', ifNoneMatch(forged))).status).toBe(200);
    const forgedWithMac = `"${'a'.repeat(20)}-${clock.now()}-3600-${'0'.repeat(16)}"`;
    expect((await app.request('/recommend-items/shop/top/u1', ifNoneMatch(forgedWithMac))).status).toBe(200);
  });

  it("ignores another URL's ETag and one from before a configuration change", async () => {
    const { app, provider } = setup(responseCache);
    const etag = (await app.request('/recommend-items/shop/top/u1')).headers.get('etag')!;
    expect((await app.request('/recommend-items/shop/top/u2', ifNoneMatch(etag))).status).toBe(200);
    expect((await app.request('/recommend-items/shop/top/u1?numResults=3', ifNoneMatch(etag))).status).toBe(200);
    provider.set(config('2'));
    expect((await app.request('/recommend-items/shop/top/u1', ifNoneMatch(etag))).status).toBe(200);
  });

  it('answers 404 for an unknown recommender whatever If-None-Match holds', async () => {
    const { app } = setup(responseCache);
    const etag = (await app.request('/recommend-items/shop/top/u1')).headers.get('etag')!;
    expect((await app.request('/recommend-items/shop/nope/u1', ifNoneMatch(etag))).status).toBe(404);
    expect((await app.request('/recommend-items/nowhere/top/u1', ifNoneMatch(etag))).status).toBe(404);
  });
});
