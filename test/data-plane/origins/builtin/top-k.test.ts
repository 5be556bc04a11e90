import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topK } from '../../../../data-plane/origins/builtin/top-k.ts';

describe('topK', () => {
  it('is the first k of a full sort, best first, from arrays, typed arrays and iterators', () => {
    // Scores with many ties, broken by the smaller index: a strict total order, as topK requires.
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 300 }),
        fc.integer({ min: -1, max: 320 }),
        (scores, k) => {
          const better = (a: number, b: number) => scores[a]! > scores[b]! || (scores[a] === scores[b] && a < b);
          const indexes = scores.map((_, i) => i);
          const expected = [...indexes].sort((a, b) => (better(a, b) ? -1 : 1)).slice(0, Math.max(0, k));
          expect(topK(indexes, k, better)).toEqual(expected);
          expect(topK(Int32Array.from(indexes), k, better)).toEqual(expected);
          expect(topK(indexes.values(), k, better)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
