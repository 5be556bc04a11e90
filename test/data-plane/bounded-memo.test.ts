import { describe, expect, it } from 'vitest';
import { BoundedMemo } from '../../data-plane/bounded-memo.ts';

describe('BoundedMemo', () => {
  it('computes a key once, undefined values included, and holds at most max keys', () => {
    const computed: string[] = [];
    const memo = new BoundedMemo<string, number | undefined>(3);
    const length = (key: string) => {
      computed.push(key);
      return key === 'none' ? undefined : key.length;
    };
    expect([
      memo.get('ab', length),
      memo.get('ab', length),
      memo.get('none', length),
      memo.get('none', length),
    ]).toEqual([2, 2, undefined, undefined]);
    expect(computed).toEqual(['ab', 'none']);
    memo.get('c', length);
    // Full: the fourth key empties it, so the first is computed again.
    memo.get('dddd', length);
    expect(memo.get('ab', length)).toBe(2);
    expect(computed).toEqual(['ab', 'none', 'c', 'dddd', 'ab']);
  });
});
