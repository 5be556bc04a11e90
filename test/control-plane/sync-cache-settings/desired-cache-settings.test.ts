import { describe, expect, it } from 'vitest';
import { desiredCacheSettings } from '../../../control-plane/sync-cache-settings/desired-cache-settings.ts';
import { namespace, resolved } from '../helpers/configs.ts';
import { sample } from '../helpers/samples.ts';

describe('desiredCacheSettings', () => {
  it('takes the TTL bounds from every effective cacheControl', () => {
    const desired = desiredCacheSettings(resolved(sample('config_simple.json')))!;
    expect(desired).toMatchObject({ minTtl: 10, defaultTtl: 10, maxTtl: 1200, cacheKeyHeaders: [] });
    // recommend/rerank requests always name a user; related-items may not, so it may fall to noUserSpecified.
    expect(desired.recommenders.map((r) => [r.action, r.recommender, r.ttl])).toEqual([
      ['recommend-items', 'recommended-for-you', 10],
      ['related-items', 'similar', 10],
      ['rerank-items', 'personalized-ranking', 10],
    ]);
  });

  it('puts the headers rules read into the cache key, with the time-zone and latitude headers for time rules', () => {
    const desired = desiredCacheSettings(resolved(sample('config_auto_context.json')))!;
    expect(desired.cacheKeyHeaders).toEqual(
      expect.arrayContaining(['cloudfront-is-mobile-viewer', 'cloudfront-viewer-time-zone']),
    );
    expect(desired.cacheKeyHeaders).toEqual([...desired.cacheKeyHeaders].sort());
  });

  it('leaves out recommenders that opt out and gives nothing when all do', () => {
    const off = { autoProvision: false };
    expect(desiredCacheSettings(resolved({ cacheControl: off, namespaces: { shop: namespace() } }))).toBeUndefined();

    const mixed = resolved({
      cacheControl: { autoProvision: false, userSpecified: { maxAge: 5 } },
      namespaces: {
        shop: {
          recommenders: {
            'recommend-items': {
              managed: {
                cacheControl: {
                  autoProvision: true,
                  userSpecified: { maxAge: 60 },
                  syntheticUserSpecified: { maxAge: 600 },
                },
                variations: { v: { type: 'http', url: 'http://127.0.0.1:9/a' } },
              },
              manual: { variations: { v: { type: 'http', url: 'http://127.0.0.1:9/b' } } },
            },
          },
        },
      },
    });
    const desired = desiredCacheSettings(mixed)!;
    expect(desired.recommenders.map((r) => r.recommender)).toEqual(['managed']);
    expect(desired).toMatchObject({ minTtl: 0, maxTtl: 600 });
    expect(desired.recommenders[0]!.ttl).toBe(60);
  });
});
