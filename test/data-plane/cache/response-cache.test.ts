import { beforeEach, describe, expect, it } from 'vitest';
import { responseCacheFromEnv } from '../../../data-plane/cache/options-from-env.ts';
import { readDataPlaneEnv } from '../../../data-plane/env.ts';
import { createBackgroundTasks } from '../../../data-plane/events/background.ts';
import { createEventsService } from '../../../data-plane/events/events-service.ts';
import type { ServedExposure } from '../../../data-plane/experiments/exposures.ts';
import { type AppOptions, buildApp } from '../../../data-plane/wiring.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { fakeOrigin, manualClock, swappableConfig, unusedClients } from '../../helpers/fake-origin.ts';

const variation = (extra: Record<string, unknown> = {}) => ({ type: 'http', url: 'http://origin.test/recs', ...extra });

function config(version = '1', extra: Record<string, unknown> = {}) {
  return {
    version,
    cacheControl: {
      userSpecified: { maxAge: 30, directives: 'private' },
      syntheticUserSpecified: { maxAge: 300, directives: 'public' },
      noUserSpecified: { maxAge: 600, directives: 'public' },
    },
    namespaces: {
      shop: {
        recommenders: {
          'recommend-items': {
            'for-you': { variations: { a: variation() } },
            'by-device': {
              autoContext: {
                device: {
                  type: 'string',
                  rules: [
                    {
                      type: 'header-value',
                      header: 'x-device',
                      valueMappings: [{ operator: 'equals', value: 'phone', mapTo: 'Phone' }],
                    },
                  ],
                },
              },
              variations: { a: variation() },
            },
            uncached: {
              cacheControl: { userSpecified: { maxAge: 0, directives: 'private' } },
              variations: { a: variation() },
            },
            'no-store': {
              cacheControl: { userSpecified: { maxAge: 60, directives: 'no-store' } },
              variations: { a: variation() },
            },
          },
          'rerank-items': { ranking: { variations: { a: variation() } } },
          'related-items': {
            ab: {
              experiments: { split: { method: 'hash', weights: { a: 50, b: 50 } } },
              variations: { a: variation(), b: variation() },
            },
          },
        },
      },
    },
    ...extra,
  };
}

let origin: ReturnType<typeof fakeOrigin>;
let clock: ReturnType<typeof manualClock>;
let provider: ReturnType<typeof swappableConfig>;

function app(overrides: Partial<AppOptions> = {}) {
  return buildApp({
    config: provider,
    clients: unusedClients(),
    resolvers: { http: origin.resolver },
    logger: silentLogger,
    clock: clock.now,
    ...overrides,
  });
}

beforeEach(() => {
  origin = fakeOrigin();
  clock = manualClock();
  provider = swappableConfig(config());
});

describe('response cache', () => {
  it('answers a repeated request from memory with Age and X-Cache: hit, the same body and ETag', async () => {
    const a = app();
    const first = await a.request('/recommend-items/shop/for-you/u1?numResults=3');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('miss');
    expect(first.headers.get('age')).toBeNull();
    const firstBody = await first.text();

    clock.advance(7_400);
    const second = await a.request('/recommend-items/shop/for-you/u1?numResults=3');
    expect(second.status).toBe(200);
    expect(second.headers.get('x-cache')).toBe('hit');
    expect(second.headers.get('age')).toBe('7');
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('cache-control')).toBe('max-age=30, private');
    expect(second.headers.get('content-type')).toContain('application/json');
    expect(second.headers.get('x-personalization-config-version')).toBe('1');
    expect(await second.text()).toBe(firstBody);
    expect(origin.calls).toHaveLength(1);
  });

  it('records an exposure each time an experiment response is served, from the cache too', async () => {
    const exposures: ServedExposure[] = [];
    const events = createEventsService({
      clients: unusedClients(),
      logger: silentLogger,
      clock: clock.now,
      defaultTimeZone: 'UTC',
      background: createBackgroundTasks({ logger: silentLogger }),
    });
    const a = app({ events: { ...events, recordExposure: (e) => exposures.push(e) } });
    const first = await a.request('/related-items/shop/ab/item-1?userId=u1');
    const second = await a.request('/related-items/shop/ab/item-1?userId=u1');
    expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['miss', 'hit']);
    expect(origin.calls).toHaveLength(1);
    expect(exposures).toHaveLength(2);
    expect(exposures[1]).toMatchObject({ userId: 'u1', matched: { method: 'hash', feature: 'split' } });
  });

  it('ignores the order of query parameters', async () => {
    const a = app();
    await a.request('/recommend-items/shop/for-you/u1?numResults=3&decorateItems=no&cb=1');
    const res = await a.request('/recommend-items/shop/for-you/u1?cb=1&decorateItems=no&numResults=3');
    expect(res.headers.get('x-cache')).toBe('hit');
    expect(origin.calls).toHaveLength(1);
  });

  it('keeps different users, parameters and paths apart', async () => {
    const a = app();
    await a.request('/recommend-items/shop/for-you/u1?numResults=3');
    await a.request('/recommend-items/shop/for-you/u2?numResults=3');
    await a.request('/recommend-items/shop/for-you/u1?numResults=4');
    expect(origin.calls.map((c) => [c.userId, c.numResults])).toEqual([
      ['u1', 3],
      ['u2', 3],
      ['u1', 4],
    ]);
  });

  it('keys on the values of headers the rules read, and only those', async () => {
    const a = app();
    const ask = (headers: Record<string, string>) => a.request('/recommend-items/shop/by-device/u1', { headers });
    await ask({ 'x-device': 'phone', 'x-other': '1' });
    expect((await ask({ 'x-device': 'phone', 'x-other': '2' })).headers.get('x-cache')).toBe('hit');
    expect((await ask({ 'x-device': 'desktop' })).headers.get('x-cache')).toBe('miss');
    expect(origin.calls.map((c) => c.context)).toEqual([{ device: 'Phone' }, {}]);
  });

  it('keeps a response for its max-age and asks the origin again after it', async () => {
    const a = app();
    await a.request('/recommend-items/shop/for-you/u1');
    clock.advance(29_999);
    expect((await a.request('/recommend-items/shop/for-you/u1')).headers.get('x-cache')).toBe('hit');
    clock.advance(1);
    expect((await a.request('/recommend-items/shop/for-you/u1')).headers.get('x-cache')).toBe('miss');
    expect(origin.calls).toHaveLength(2);
  });

  it.each(['uncached', 'no-store'])('never keeps a %s response', async (recommender) => {
    const a = app();
    await a.request(`/recommend-items/shop/${recommender}/u1`);
    const res = await a.request(`/recommend-items/shop/${recommender}/u1`);
    expect(res.headers.get('x-cache')).toBe('miss');
    expect(origin.calls).toHaveLength(2);
  });

  it('never keeps a POST rerank response', async () => {
    const a = app();
    const post = () => a.request('/rerank-items/shop/ranking/u1', { method: 'POST', body: JSON.stringify(['x', 'y']) });
    await post();
    const res = await post();
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('bypass');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(origin.calls).toHaveLength(2);
  });

  it('drops what the previous configuration cached when the configuration changes', async () => {
    const a = app();
    await a.request('/recommend-items/shop/for-you/u1');
    provider.set(config('2'));
    const res = await a.request('/recommend-items/shop/for-you/u1');
    expect(res.headers.get('x-cache')).toBe('miss');
    expect(res.headers.get('x-personalization-config-version')).toBe('2');
    expect(origin.calls).toHaveLength(2);
  });

  it('makes one origin call for concurrent identical misses', async () => {
    origin.behaviour.set('a', 'gate');
    const a = app();
    const pending = Array.from({ length: 20 }, () => a.request('/recommend-items/shop/for-you/u1?numResults=2'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    origin.openGate();
    const responses = await Promise.all(pending);
    expect(origin.calls).toHaveLength(1);
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const statuses = responses.map((r) => r.headers.get('x-cache'));
    expect(statuses.filter((s) => s === 'miss')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'coalesced')).toHaveLength(19);
    const bodies = new Set(await Promise.all(responses.map((r) => r.text())));
    expect(bodies.size).toBe(1);
  });

  it('still answers 304 to a fresh ETag before looking in the cache', async () => {
    const a = app();
    const first = await a.request('/recommend-items/shop/for-you/u1');
    const res = await a.request('/recommend-items/shop/for-you/u1', {
      headers: { 'If-None-Match': first.headers.get('etag')! },
    });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
    expect(origin.calls).toHaveLength(1);
  });

  it('holds at most maxEntries responses, evicting the least recently used', async () => {
    const a = app({ responseCache: { maxEntries: 2 } });
    for (const user of ['u1', 'u2', 'u1', 'u3']) await a.request(`/recommend-items/shop/for-you/${user}`);
    expect(origin.calls.map((c) => c.userId)).toEqual(['u1', 'u2', 'u3']);
    expect((await a.request('/recommend-items/shop/for-you/u2')).headers.get('x-cache')).toBe('miss');
    expect((await a.request('/recommend-items/shop/for-you/u3')).headers.get('x-cache')).toBe('hit');
  });

  it('holds at most maxBytes, so a response larger than the budget is never kept', async () => {
    const a = app({ responseCache: { maxBytes: 2_000 } });
    await a.request('/recommend-items/shop/for-you/u1?numResults=100');
    const res = await a.request('/recommend-items/shop/for-you/u1?numResults=100');
    expect(res.headers.get('x-cache')).toBe('miss');
    await a.request('/recommend-items/shop/for-you/u1?numResults=1');
    expect((await a.request('/recommend-items/shop/for-you/u1?numResults=1')).headers.get('x-cache')).toBe('hit');
  });

  it('can be turned off', async () => {
    const a = app({ responseCache: false });
    await a.request('/recommend-items/shop/for-you/u1');
    const res = await a.request('/recommend-items/shop/for-you/u1');
    expect(res.headers.get('x-cache')).toBeNull();
    expect(origin.calls).toHaveLength(2);
  });

  it('exposes its headers to browsers through CORS', async () => {
    const res = await app().request('/recommend-items/shop/for-you/u1', { headers: { Origin: 'https://shop.test' } });
    const exposed = res.headers.get('access-control-expose-headers')!.toLowerCase();
    for (const name of ['age', 'x-cache', 'x-personalization-fallback']) expect(exposed).toContain(name);
  });
});

describe('settings from the environment', () => {
  it('reads the memory budget and the stale grace, and turns the cache off at 0 MB', () => {
    const env = readDataPlaneEnv({ P13N_RESPONSE_CACHE_MB: '8', P13N_STALE_IF_ERROR_SECONDS: '90' });
    expect(responseCacheFromEnv(env)).toEqual({ maxBytes: 8 * 1024 * 1024, staleIfErrorSeconds: 90 });
    expect(responseCacheFromEnv(readDataPlaneEnv({}))).toEqual({
      maxBytes: 32 * 1024 * 1024,
      staleIfErrorSeconds: 300,
    });
    expect(responseCacheFromEnv(readDataPlaneEnv({ P13N_RESPONSE_CACHE_MB: '0' }))).toBe(false);
    expect(() => readDataPlaneEnv({ P13N_STALE_IF_ERROR_SECONDS: 'soon' })).toThrow(/P13N_STALE_IF_ERROR_SECONDS/);
  });
});
