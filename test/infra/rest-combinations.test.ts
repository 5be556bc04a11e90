import { describe, expect, test } from 'vitest';
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
