import { describe, expect, test } from 'vitest';
import { ORIGIN_SECRET_CACHE_KEY } from '../../contracts/origin-secret.ts';
import { contextOf, describeCombination, expectCombination, VALID_COMBINATIONS } from './combinations.ts';
import { synth } from './synth.ts';

describe('REST API combinations', { timeout: 120_000 }, () => {
  for (const combination of VALID_COMBINATIONS.filter((c) => c.apiEntryPointType === 'API-Gateway-REST')) {
    test(describeCombination(combination), () => {
      const synthesized = synth(contextOf(combination));
      expect(synthesized.settings.apiEntryPointType).toBe('API-Gateway-REST');
      expectCombination(synthesized, combination);
    });
  }
});

describe('the REST stage cache behind CloudFront (cacheScheme Both)', { timeout: 120_000 }, () => {
  const cached = VALID_COMBINATIONS.filter(
    (c) =>
      c.apiEntryPointType === 'API-Gateway-REST' && (c.cacheScheme === 'Both' || c.cacheScheme === 'API-Gateway-Cache'),
  );
  for (const combination of cached) {
    const bySecret = combination.cacheScheme === 'Both';
    test(`${bySecret ? 'keys' : 'does not key'} cached GETs by the origin secret: ${describeCombination(combination)}`, () => {
      // A direct call to the stage URL carries no secret, so it never matches an entry CloudFront's
      // requests filled: it misses, reaches the data plane and gets its 403.
      const t = synth(contextOf(combination)).main;
      const gets = Object.values(t.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'GET' } }));
      const cachedGet = gets.map((m) => m.Properties).find((p) => p.Integration?.CacheKeyParameters);
      expect(cachedGet.Integration.CacheKeyParameters.includes(ORIGIN_SECRET_CACHE_KEY)).toBe(bySecret);
      expect(ORIGIN_SECRET_CACHE_KEY in cachedGet.RequestParameters).toBe(bySecret);
    });
  }
});
