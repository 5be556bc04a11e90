import { describe, expect, it } from 'vitest';
import { PopularityIndex } from '../../../../data-plane/origins/builtin/popularity-index.ts';

/** An index over `popularity` (item → weight; ties go to the smaller index). */
function indexOver(popularity: number[]): PopularityIndex {
  const index = new PopularityIndex(
    (a, b) => popularity[a]! > popularity[b]! || (popularity[a] === popularity[b] && a < b),
  );
  for (let item = 0; item < popularity.length; item++) index.add(item);
  return index;
}

const ranks = (index: PopularityIndex) => {
  const out: number[] = [];
  for (let rank = 0; index.ranked(rank) !== undefined; rank++) out.push(index.ranked(rank)!);
  return out;
};

describe('popularity index', () => {
  it('reads items best first by rank, and nothing past the last', () => {
    const index = indexOver([3, 9, 1, 9, 5]);
    expect(index.ranked(0)).toBe(1);
    expect(ranks(index)).toEqual([1, 3, 4, 0, 2]);
    expect(index.ranked(5)).toBeUndefined();
    expect(index.top()).toBe(1);
  });

  it('follows every change after ranks were read: an update, a new item, a rebuild', () => {
    const popularity = [3, 9, 1];
    const index = indexOver(popularity);
    expect(ranks(index)).toEqual([1, 0, 2]);
    popularity[2] = 10;
    index.update(2);
    expect(ranks(index)).toEqual([2, 1, 0]);
    popularity.push(4);
    index.add(3);
    expect(ranks(index)).toEqual([2, 1, 3, 0]);
    popularity[0] = 20;
    popularity[1] = 0;
    index.rebuild();
    expect(ranks(index)).toEqual([0, 2, 3, 1]);
  });

  it('reads only as far as asked, and again from the top after a change', () => {
    const popularity = Array.from({ length: 100 }, (_, i) => i);
    const index = indexOver(popularity);
    expect(index.ranked(2)).toBe(97);
    popularity[0] = 1000;
    index.update(0);
    expect(index.ranked(0)).toBe(0);
    expect(index.ranked(3)).toBe(97);
  });
});
