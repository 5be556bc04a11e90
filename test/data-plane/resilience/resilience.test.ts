import { beforeEach, describe, expect, it } from 'vitest';
import { type AppOptions, buildApp } from '../../../data-plane/wiring.ts';
import { fakeOrigin, manualClock, recordingLogger, swappableConfig, unusedClients } from '../../helpers/fake-origin.ts';

const variation = (extra: Record<string, unknown> = {}) => ({ type: 'http', url: 'http://origin.test/recs', ...extra });

const config = {
  version: '3',
  cacheControl: { userSpecified: { maxAge: 60, directives: 'private' } },
  namespaces: {
    shop: {
      recommenders: {
        'recommend-items': {
          single: { variations: { primary: variation({ timeoutMs: 50 }) } },
          guarded: {
            variations: {
              primary: variation({ timeoutMs: 50, fallback: 'backup' }),
              backup: variation({
                fallback: 'last-resort',
                autoContext: { tier: { type: 'string', default: 'backup-tier', rules: [] } },
              }),
              'last-resort': variation(),
            },
          },
        },
      },
    },
  },
};

let origin: ReturnType<typeof fakeOrigin>;
let clock: ReturnType<typeof manualClock>;
let logger: ReturnType<typeof recordingLogger>;

function app(overrides: Partial<AppOptions> = {}) {
  return buildApp({
    config: swappableConfig(config),
    clients: unusedClients(),
    resolvers: { http: origin.resolver },
    logger,
    clock: clock.now,
    ...overrides,
  });
}

const called = () => origin.calls.map((c) => c.variation.key);
const logged = (message: string) => logger.entries.filter((e) => e.message === message);

beforeEach(() => {
  origin = fakeOrigin();
  clock = manualClock();
  logger = recordingLogger();
});

describe('timeouts', () => {
  it("gives up on an origin at the variation's timeoutMs with a 504", async () => {
    origin.behaviour.set('primary', 'hang');
    const res = await app().request('/recommend-items/shop/single/u1');
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({
      type: 'OriginError',
      code: 'OriginTimeout',
      message: 'the recommender did not answer within 50 ms',
      requestId: expect.any(String),
    });
    expect(origin.calls[0]!.signal.aborted).toBe(true);
  });
});

describe('fallback variations', () => {
  it.each([
    ['fails', 'fail'],
    ['times out', 'hang'],
    ['throttles', 'throttle'],
  ] as const)('answers from the fallback when the chosen variation %s, and says so', async (_, behaviour) => {
    origin.behaviour.set('primary', behaviour);
    const res = await app().request('/recommend-items/shop/guarded/u1?numResults=2');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-personalization-fallback')).toBe('primary->backup');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('etag')).toBeNull();
    expect(await res.json()).toMatchObject({ recommendationId: 'rid-backup', itemList: [{ itemId: 'item-1' }, {}] });
    expect(called()).toEqual(['primary', 'backup']);
    expect(logged('origin failed; trying fallback variation')).toEqual([
      expect.objectContaining({
        level: 'warn',
        attributes: expect.objectContaining({
          from: 'primary',
          to: 'backup',
          recommender: 'shop/recommend-items/guarded',
        }),
      }),
    ]);
  });

  it('asks the fallback with a request built from its own settings (context rules here)', async () => {
    origin.behaviour.set('primary', 'fail');
    const res = await app().request('/recommend-items/shop/guarded/u1?context=%7B%22page%22%3A%22home%22%7D');
    expect(res.status).toBe(200);
    expect(origin.calls.map((c) => [c.variation.key, c.context])).toEqual([
      ['primary', { page: 'home' }],
      ['backup', { tier: 'backup-tier', page: 'home' }],
    ]);
  });

  it('follows the fallback chain', async () => {
    origin.behaviour.set('primary', 'fail');
    origin.behaviour.set('backup', 'fail');
    const res = await app().request('/recommend-items/shop/guarded/u1');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-personalization-fallback')).toBe('primary->last-resort');
    expect(called()).toEqual(['primary', 'backup', 'last-resort']);
  });

  it("does not keep a fallback's answer in the response cache", async () => {
    origin.behaviour.set('primary', 'fail');
    const a = app();
    await a.request('/recommend-items/shop/guarded/u1');
    origin.behaviour.delete('primary');
    const res = await a.request('/recommend-items/shop/guarded/u1');
    expect(res.headers.get('x-personalization-fallback')).toBeNull();
    expect(res.headers.get('x-cache')).toBe('miss');
  });

  it('is not used for a client error, which any origin would repeat', async () => {
    origin.behaviour.set('primary', 'bad-request');
    const res = await app().request('/recommend-items/shop/guarded/u1');
    expect(res.status).toBe(400);
    expect(called()).toEqual(['primary']);
  });

  it('gives the last error when the whole chain fails', async () => {
    for (const key of ['primary', 'backup', 'last-resort']) origin.behaviour.set(key, 'fail');
    const res = await app().request('/recommend-items/shop/guarded/u1');
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ type: 'OriginError', code: 'OriginFailed' });
  });
});

describe('stale-if-error', () => {
  it('serves the expired cached response, marked stale, when the origin fails within the grace', async () => {
    const a = app({ responseCache: { staleIfErrorSeconds: 120 } });
    const fresh = await a.request('/recommend-items/shop/single/u1');
    const body = await fresh.text();
    clock.advance(60_000 + 119_000);
    origin.behaviour.set('primary', 'fail');
    const res = await a.request('/recommend-items/shop/single/u1');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('stale');
    expect(res.headers.get('age')).toBe('179');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('etag')).toBeNull();
    expect(await res.text()).toBe(body);
    expect(logged('serving a stale cached response after an error')).toEqual([
      expect.objectContaining({ level: 'warn', attributes: expect.objectContaining({ ageSeconds: 179 }) }),
    ]);
  });

  it('asks the origin first: a working origin refreshes the entry', async () => {
    const a = app();
    await a.request('/recommend-items/shop/single/u1');
    clock.advance(61_000);
    const res = await a.request('/recommend-items/shop/single/u1');
    expect(res.headers.get('x-cache')).toBe('miss');
    expect(origin.calls).toHaveLength(2);
  });

  it('gives the error once the grace has passed', async () => {
    const a = app({ responseCache: { staleIfErrorSeconds: 120 } });
    await a.request('/recommend-items/shop/single/u1');
    clock.advance(60_000 + 120_000);
    origin.behaviour.set('primary', 'fail');
    expect((await a.request('/recommend-items/shop/single/u1')).status).toBe(502);
  });

  it('keeps expired entries for 300 s by default', async () => {
    const a = app();
    await a.request('/recommend-items/shop/single/u1');
    clock.advance(60_000 + 299_000);
    origin.behaviour.set('primary', 'hang');
    expect((await a.request('/recommend-items/shop/single/u1')).headers.get('x-cache')).toBe('stale');
  });

  it('does not hide a client error behind a stale answer', async () => {
    const a = app();
    await a.request('/recommend-items/shop/single/u1');
    clock.advance(61_000);
    origin.behaviour.set('primary', 'bad-request');
    expect((await a.request('/recommend-items/shop/single/u1')).status).toBe(400);
  });
});

describe('circuit breaker', () => {
  const breaker = { failureThreshold: 3, cooldownMs: 10_000 };

  it('opens after consecutive failures and answers 503 with Retry-After without calling the origin', async () => {
    origin.behaviour.set('primary', 'fail');
    const a = app({ circuitBreaker: breaker, responseCache: false });
    for (let i = 0; i < 3; i++) expect((await a.request('/recommend-items/shop/single/u1')).status).toBe(502);
    expect(logged('circuit opened')).toEqual([
      expect.objectContaining({
        level: 'warn',
        attributes: expect.objectContaining({ circuit: 'shop/recommend-items/single/primary', failures: 3 }),
      }),
    ]);
    clock.advance(2_500);
    const res = await a.request('/recommend-items/shop/single/u2');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('8');
    expect(await res.json()).toEqual({
      type: 'OriginError',
      code: 'OriginUnavailable',
      message: 'the recommender failed repeatedly; calls to it are paused for 8 s',
      requestId: expect.any(String),
    });
    expect(origin.calls).toHaveLength(3);
  });

  it('counts only consecutive failures', async () => {
    const a = app({ circuitBreaker: breaker, responseCache: false });
    for (const behaviour of ['fail', 'fail', 'ok', 'fail', 'fail'] as const) {
      origin.behaviour.set('primary', behaviour);
      await a.request('/recommend-items/shop/single/u1');
    }
    origin.behaviour.delete('primary');
    expect((await a.request('/recommend-items/shop/single/u1')).status).toBe(200);
  });

  it('sends requests straight to the fallback while open', async () => {
    origin.behaviour.set('primary', 'fail');
    const a = app({ circuitBreaker: breaker, responseCache: false });
    for (let i = 0; i < 3; i++) await a.request('/recommend-items/shop/guarded/u1');
    origin.calls.length = 0;
    const res = await a.request('/recommend-items/shop/guarded/u1');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-personalization-fallback')).toBe('primary->backup');
    expect(called()).toEqual(['backup']);
  });

  it('serves a stale answer while open', async () => {
    const a = app({ circuitBreaker: { failureThreshold: 3, cooldownMs: 120_000 } });
    await a.request('/recommend-items/shop/single/u1');
    origin.behaviour.set('primary', 'fail');
    for (const user of ['u2', 'u3', 'u4']) await a.request(`/recommend-items/shop/single/${user}`);
    clock.advance(61_000);
    origin.calls.length = 0;
    const res = await a.request('/recommend-items/shop/single/u1');
    expect(res.headers.get('x-cache')).toBe('stale');
    expect(origin.calls).toHaveLength(0);
  });

  it('lets one probe through after the cool-down: success closes the circuit', async () => {
    origin.behaviour.set('primary', 'fail');
    const a = app({ circuitBreaker: breaker, responseCache: false });
    for (let i = 0; i < 3; i++) await a.request('/recommend-items/shop/single/u1');
    clock.advance(10_000);
    origin.behaviour.set('primary', 'gate');
    const probe = a.request('/recommend-items/shop/single/u1');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await a.request('/recommend-items/shop/single/u2')).status).toBe(503);
    origin.behaviour.delete('primary');
    origin.openGate();
    expect((await probe).status).toBe(200);
    expect((await a.request('/recommend-items/shop/single/u3')).status).toBe(200);
    expect(logged('circuit half-open; probing origin')).toHaveLength(1);
    expect(logged('circuit closed; probe succeeded')).toHaveLength(1);
    expect(origin.calls).toHaveLength(5);
  });

  it('re-opens for another cool-down when the probe fails', async () => {
    origin.behaviour.set('primary', 'fail');
    const a = app({ circuitBreaker: breaker, responseCache: false });
    for (let i = 0; i < 3; i++) await a.request('/recommend-items/shop/single/u1');
    clock.advance(10_000);
    expect((await a.request('/recommend-items/shop/single/u1')).status).toBe(502);
    expect(logged('circuit re-opened; probe failed')).toHaveLength(1);
    clock.advance(9_000);
    expect((await a.request('/recommend-items/shop/single/u1')).status).toBe(503);
    expect(origin.calls).toHaveLength(4);
  });

  it('does not count client errors', async () => {
    origin.behaviour.set('primary', 'bad-request');
    const a = app({ circuitBreaker: breaker, responseCache: false });
    for (let i = 0; i < 5; i++) expect((await a.request('/recommend-items/shop/single/u1')).status).toBe(400);
    expect(origin.calls).toHaveLength(5);
  });

  it('can be turned off', async () => {
    origin.behaviour.set('primary', 'fail');
    const a = app({ circuitBreaker: false, responseCache: false });
    for (let i = 0; i < 8; i++) expect((await a.request('/recommend-items/shop/single/u1')).status).toBe(502);
    expect(origin.calls).toHaveLength(8);
  });
});
