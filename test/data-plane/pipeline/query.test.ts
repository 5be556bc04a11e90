import { describe, expect, it } from 'vitest';
import { parseInferenceQuery } from '../../../data-plane/pipeline/query.ts';

const limits = { defaultNumResults: 25, maxNumResults: 500 };

describe('parseInferenceQuery', () => {
  it('answers a frozen query read before under the same limits with the same frozen reading', () => {
    const raw = Object.freeze({ numResults: '10', context: '{"device":"tv"}' });
    const first = parseInferenceQuery(raw, limits);
    expect(first).toMatchObject({ numResults: 10, context: { device: 'tv' }, decorateItems: true });
    expect(parseInferenceQuery(raw, limits)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.context)).toBe(true);
    // Other limits (another recommender) read it again under theirs.
    const other = { defaultNumResults: 5, maxNumResults: 8 };
    expect(() => parseInferenceQuery(raw, other)).toThrow('numResults must be a whole number from 1 to 8');
    expect(parseInferenceQuery(Object.freeze({}), other).numResults).toBe(5);
  });

  it('reads a query that is not frozen afresh each time, and a bad one fails each time', () => {
    const raw = { numResults: '3' };
    const first = parseInferenceQuery(raw, limits);
    expect(parseInferenceQuery(raw, limits)).not.toBe(first);
    expect(Object.isFrozen(first)).toBe(false);
    const bad = Object.freeze({ numResults: 'x' });
    for (let i = 0; i < 2; i++) expect(() => parseInferenceQuery(bad, limits)).toThrow(/^numResults/);
  });
});
