import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Interaction } from '../../../../data-plane/origins/builtin/interactions-csv.ts';
import { type LearnEvent, Model, trainModel } from '../../../../data-plane/origins/builtin/model.ts';

const T0 = 1_700_000_000;

/** Rows from 'user item [eventType]' strings, one second apart. */
function rows(...lines: string[]): Interaction[] {
  return lines.map((line, i) => {
    const [userId, itemId, eventType] = line.split(' ') as [string, string, string | undefined];
    return { userId, itemId, timestamp: T0 + i, ...(eventType ? { eventType } : {}) };
  });
}

function trained(interactions: Interaction[], options = {}): Model {
  const model = new Model(options);
  model.train(interactions);
  return model;
}

const ids = (items: Array<{ itemId: string }>) => items.map((i) => i.itemId);

/**
 * a and b are bought together by three shoppers; c goes with a once; d with b once; e and f are
 * popular on their own (e is purchased, so it is the most popular item).
 */
const SHOP = rows(
  'u1 a',
  'u1 b',
  'u2 a',
  'u2 b',
  'u3 a',
  'u3 b',
  'u4 a',
  'u4 c',
  'u5 b',
  'u5 d',
  'u6 e Purchase',
  'u7 e',
  'u8 f',
  'u9 f',
  'u10 x',
);

describe('Model', () => {
  it('relates items by co-occurrence, strongest first, never the item itself, then popular items', () => {
    const model = trained(SHOP);
    expect(ids(model.related('a', 4))).toEqual(['b', 'c', 'e', 'f']);
    expect(ids(model.related('b', 2))).toEqual(['a', 'd']);
    const scores = model.related('a', 4).map((i) => i.score);
    expect(scores).toEqual([...scores].sort((p, q) => q - p));
  });

  it('recommends from the user history by co-occurrence and fills up with popular items', () => {
    const model = trained([...SHOP, ...rows('u11 c')]);
    // u11 had c, which co-occurs with a; a with b: a comes first, then popularity.
    expect(ids(model.recommend('u11', 3))).toEqual(['a', 'e', 'b']);
  });

  it('falls back to popularity for unknown users and unknown items, weighting events by type', () => {
    const model = trained(SHOP);
    // e: Purchase (5) + View (1) = 6; a and b: 4 users each (4), ties by item ID; f: 2.
    expect(ids(model.recommend('stranger', 4))).toEqual(['e', 'a', 'b', 'f']);
    expect(ids(model.related('not-in-the-catalogue', 3))).toEqual(['e', 'a', 'b']);
    expect(model.recommend('stranger', 1)[0]?.score).toBe(0.05);
  });

  it('leaves out what the user already interacted with, unless told not to, and any excluded ID', () => {
    const model = trained(SHOP);
    expect(ids(model.recommend('u1', 10))).not.toEqual(expect.arrayContaining(['a']));
    expect(ids(model.recommend('u1', 10))).not.toContain('b');
    expect(ids(model.recommend('u1', 2, { excludeInteracted: false }))).toEqual(['a', 'b']);
    expect(ids(model.recommend('u1', 3, { exclude: new Set(['e', 'c']) }))).toEqual(['d', 'f', 'x']);
    expect(ids(model.related('a', 2, { userId: 'u4' }))).toEqual(['b', 'e']);
    expect(ids(model.related('a', 2, { userId: 'u4', excludeInteracted: false }))).toEqual(['b', 'c']);
  });

  it('returns no more than there is and nothing for n ≤ 0', () => {
    const model = trained(SHOP);
    expect(model.recommend('u1', 100)).toHaveLength(5);
    expect(model.recommend('u1', 0)).toEqual([]);
    expect(model.related('a', -1)).toEqual([]);
    expect(new Model().recommend('anyone', 5)).toEqual([]);
  });

  it('reranks all given items by affinity, unknown items last in the order given, duplicates dropped', () => {
    const model = trained([...SHOP, ...rows('u11 c')]);
    const ranked = model.rerank('u11', ['zz', 'f', 'b', 'yy', 'a', 'f']);
    expect(ids(ranked)).toEqual(['a', 'b', 'f', 'zz', 'yy']);
    expect(ranked.slice(3)).toEqual([
      { itemId: 'zz', score: 0 },
      { itemId: 'yy', score: 0 },
    ]);
    // The same scores as recommend-items would give.
    const recommended = model.recommend('u11', 10);
    for (const item of ranked.slice(0, 3)) expect(recommended).toContainEqual(item);
    // An unknown user is reranked by popularity; ties keep the order given.
    expect(ids(model.rerank('stranger', ['f', 'b', 'a', 'e']))).toEqual(['e', 'b', 'a', 'f']);
  });

  it('is deterministic: same data, same answers, whatever the file order', () => {
    const one = trained(SHOP);
    const two = trained([...SHOP].reverse());
    for (const user of ['u1', 'u4', 'u10', 'stranger']) expect(two.recommend(user, 5)).toEqual(one.recommend(user, 5));
    for (const item of ['a', 'b', 'e', 'x']) expect(two.related(item, 5)).toEqual(one.related(item, 5));
  });

  it('learns online: new events add co-occurrence, history and popularity at once', () => {
    const model = new Model({ learnNewItems: true });
    const events: LearnEvent[] = rows('u1 p', 'u1 q', 'u2 p', 'u2 q', 'u3 p', 'u3 r');
    model.learn(events);
    expect(ids(model.related('p', 2))).toEqual(['q', 'r']);
    expect(ids(model.recommend('u4', 1))).toEqual(['p']);
    model.learn([{ userId: 'u4', itemId: 'r', eventType: 'Purchase' }]);
    expect(ids(model.recommend('u4', 2))).toEqual(['p', 'q']);
    model.learn(rows('u5 r', 'u5 q', 'u6 r', 'u6 q', 'u7 r', 'u7 q'));
    expect(ids(model.related('r', 1))).toEqual(['q']);
    // Events without a user or an item are ignored.
    model.learn([
      { userId: '', itemId: 'p' },
      { userId: 'u8', itemId: '' },
    ]);
    expect(model.size()).toEqual({ users: 7, items: 3 });
  });

  it('fills up with the popular items of the moment, however many requests came between the events', () => {
    const model = trained(SHOP);
    const before = ids(model.recommend('stranger', 3));
    expect(ids(model.recommend('stranger', 3))).toEqual(before);
    model.learn(rows('u8 f Purchase', 'u9 f Purchase'));
    const after = ids(model.recommend('stranger', 3));
    expect(after[0]).toBe('f');
    expect(after).not.toEqual(before);
    expect(ids(model.related('x', 1))).toEqual(['f']);
  });

  it('learns like it trains', () => {
    const data = rows('u1 a', 'u1 b', 'u2 a', 'u2 b', 'u2 c', 'u3 c', 'u3 d', 'u4 b', 'u4 c');
    const learned = new Model({ learnNewItems: true });
    learned.learn(data);
    const fromFile = trained(data);
    for (const item of ['a', 'b', 'c', 'd'])
      expect(ids(learned.related(item, 3))).toEqual(ids(fromFile.related(item, 3)));
    expect(ids(learned.recommend('u1', 3))).toEqual(ids(fromFile.recommend('u1', 3)));
  });

  it('lets recent history steer recommendations', () => {
    const model = trained([
      ...rows('u1 a', 'u1 b', 'u2 a', 'u2 b', 'u3 c', 'u3 d', 'u4 c', 'u4 d'),
      ...rows('me a', 'me c'),
    ]);
    // 'me' saw a, then c: d (with c) outranks b (with a).
    expect(ids(model.recommend('me', 2))).toEqual(['d', 'b']);
    model.learn([{ userId: 'me', itemId: 'a', eventType: 'View' }]);
    expect(ids(model.recommend('me', 2))).toEqual(['b', 'd']);
  });

  it('scores by popularity alone with the popularity algorithm', () => {
    const model = trained(SHOP, { algorithm: 'popularity' });
    expect(ids(model.recommend('u1', 3))).toEqual(['e', 'f', 'c']);
    expect(ids(model.related('a', 3))).toEqual(['e', 'b', 'f']);
    expect(model.related('a', 1)[0]).toEqual({ itemId: 'e', score: 1 });
    expect(ids(model.rerank('u1', ['f', 'a', 'e']))).toEqual(['e', 'a', 'f']);
  });

  it('can let popularity decay with time', () => {
    const day = 86_400;
    const data: Interaction[] = [
      { userId: 'u1', itemId: 'old', timestamp: T0 },
      { userId: 'u2', itemId: 'old', timestamp: T0 },
      { userId: 'u3', itemId: 'old', timestamp: T0 },
      { userId: 'u4', itemId: 'new', timestamp: T0 + 3 * day },
    ];
    expect(ids(trained(data).recommend('x', 2))).toEqual(['old', 'new']);
    expect(ids(trained(data, { popularityHalfLifeDays: 1 }).recommend('x', 2))).toEqual(['new', 'old']);
  });

  it('weights event types by name, ignoring case and punctuation, with custom weights', () => {
    const data = rows('u1 a add_to_cart', 'u2 b', 'u3 b', 'u4 c click', 'u5 c', 'u6 c');
    expect(ids(trained(data).recommend('x', 3))).toEqual(['a', 'c', 'b']);
    expect(ids(trained(data, { eventWeights: { Click: 0.5 } }).recommend('x', 3))).toEqual(['a', 'c', 'b']);
    expect(ids(trained(data, { eventWeights: { 'Add-To-Cart': 1 } }).recommend('x', 3))).toEqual(['c', 'b', 'a']);
    expect(() => new Model({ eventWeights: { View: 0 } })).toThrow(RangeError);
    expect(() => new Model({ maxNeighbours: 0 })).toThrow(RangeError);
  });

  it('keeps at most maxNeighbours neighbours per item and still answers', () => {
    const data = rows('u1 a', 'u1 b', 'u1 c', 'u1 d', 'u2 a', 'u2 b', 'u3 a', 'u3 c');
    const model = trained(data, { maxNeighbours: 2, maxCounts: 1 });
    expect(ids(model.related('a', 3))).toEqual(['b', 'c', 'd']);
    model.learn(rows('u4 a', 'u4 d', 'u5 a', 'u5 d', 'u6 a', 'u6 d'));
    expect(ids(model.related('a', 1))).toEqual(['d']);
  });

  it('forgets the oldest items beyond maxHistory', () => {
    const model = trained(rows('u1 a', 'u1 b', 'u1 c', 'u2 a'), { maxHistory: 2 });
    expect(ids(model.recommend('u1', 3))).toContain('a');
  });

  it('scores more items than its scratch space starts with (1,024), and leaves nothing behind', () => {
    // Shopper u-i bought the hub h and x-i: h relates to 1,500 items, all as strongly.
    const lines: string[] = [];
    for (let i = 0; i < 1_500; i++) lines.push(`u-${i} h`, `u-${i} x-${i}`);
    const model = trained(rows(...lines), { maxNeighbours: 2_000, maxCounts: 2_000 });
    const all = Array.from({ length: 1_500 }, (_, i) => `x-${i}`).sort();
    expect(ids(model.related('h', 2_000))).toEqual(all);
    // A shopper of h alone gets all of them too, not the ones the first request blocked or scored.
    model.learn([{ userId: 'new', itemId: 'h' }]);
    expect(ids(model.recommend('new', 2_000))).toEqual(all);
    expect(ids(model.recommend('new', 20, { exclude: new Set(all.slice(0, 1_490)) }))).toEqual(all.slice(1_490));
    expect(ids(model.recommend('new', 2_000))).toEqual(all);
    expect(ids(model.recommend('u-7', 2))).toEqual(['x-0', 'x-1']);
    expect(ids(model.related('x-7', 1))).toEqual(['h']);
  });
});

describe('trainModel', () => {
  it('trains from a CSV file and reports skipped lines', async () => {
    const file = new URL('../../../fixtures/builtin/interactions-with-errors.csv', import.meta.url).pathname;
    const { model, report } = await trainModel(file);
    expect(report).toMatchObject({
      interactions: 5,
      users: 3,
      items: 3,
      skipped: 2,
      skippedLines: [
        { line: 4, reason: 'ITEM_ID is empty' },
        { line: 7, reason: "TIMESTAMP 'soon' is not a number of seconds" },
      ],
    });
    expect(ids(model.related('i1', 1))).toEqual(['i2']);
  });

  it('without a file, returns an empty model that learns from events', async () => {
    const { model, report } = await trainModel(undefined, { learnNewItems: true });
    expect(report).toMatchObject({ interactions: 0, users: 0, items: 0, skipped: 0 });
    model.learn([{ userId: 'u', itemId: 'i' }]);
    expect(ids(model.recommend('v', 1))).toEqual(['i']);
  });
});

describe('learning from untrusted events', () => {
  const poison = '<img src=x onerror=alert(1)> FREE-GIFT https://evil.example';

  it('ignores items it has never seen unless they are vouched for or learnNewItems is set', () => {
    const model = trained(SHOP);
    const before = ids(model.recommend('stranger', 3));
    const attack = Array.from({ length: 11 }, (_, i) => ({
      userId: `anon-${i}`,
      itemId: poison,
      eventType: 'Purchase',
    }));
    expect(model.learn(attack)).toEqual({ learned: 0, ignored: 11 });
    expect(ids(model.recommend('stranger', 3))).toEqual(before);
    expect(ids(model.related('nope', 10))).not.toContain(poison);
    expect(model.size().items).toBe(trained(SHOP).size().items);
    // An item the caller vouches for (found in the catalogue) is learned.
    expect(
      model.learn([{ userId: 'u1', itemId: 'new-in-catalogue' }], { newItems: new Set(['new-in-catalogue']) }),
    ).toEqual({ learned: 1, ignored: 0 });
  });

  it('lets one user add at most MAX_ITEM_WEIGHT (10) to an item, however many events it posts', () => {
    const spam = (n: number) =>
      Array.from({ length: n }, () => ({ userId: 'spammer', itemId: 'x', eventType: 'Purchase' }));
    const flooded = trained(SHOP, { algorithm: 'popularity' });
    flooded.learn(spam(1_000));
    const twice = trained(SHOP, { algorithm: 'popularity' });
    twice.learn(spam(2)); // 2 purchases = 10
    expect(flooded.recommend('stranger', 10)).toEqual(twice.recommend('stranger', 10));
  });

  it('remembers at most maxUsers users, forgetting the least recently active', () => {
    const model = trained(SHOP, { maxUsers: 3 });
    for (let i = 0; i < 1_000; i++) model.learn([{ userId: `drive-by-${i}`, itemId: 'a' }]);
    expect(model.size().users).toBe(3);
  });

  it('holds at most maxItems items when learning new ones', () => {
    const model = new Model({ learnNewItems: true, maxItems: 100 });
    const report = model.learn(Array.from({ length: 1_000 }, (_, i) => ({ userId: 'u', itemId: `item-${i}` })));
    expect(report).toEqual({ learned: 100, ignored: 900 });
    expect(model.size().items).toBe(100);
  });

  it('learns 40,000 new items with popularity kept in order, each update O(log n)', () => {
    const model = new Model({ learnNewItems: true, algorithm: 'popularity' });
    for (let i = 0; i < 40_000; i++) model.learn([{ userId: `u${i % 500}`, itemId: `item-${i}` }]);
    model.learn([{ userId: 'fan', itemId: 'item-39999', eventType: 'Purchase' }]);
    const top = model.recommend('stranger', 3);
    expect(top[0]!.itemId).toBe('item-39999');
    // Equal popularity ties go to the smaller ID.
    expect(ids(top.slice(1))).toEqual(['item-0', 'item-1']);
  });
});

describe('on the committed sample data', () => {
  const samples = new URL('../../../../samples/local/', import.meta.url).pathname;

  it("moves a user's recommendations toward a category after events for items of that category", async () => {
    const items = (await readFile(`${samples}items.jsonl`, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; category: string });
    const categoryOf = new Map(items.map((it) => [it.id, it.category]));
    const interactions = (await readFile(`${samples}interactions.csv`, 'utf8'))
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    const { model } = await trainModel(`${samples}interactions.csv`);
    const share = (list: Array<{ itemId: string }>, category: string) =>
      list.filter((it) => categoryOf.get(it.itemId) === category).length;

    const used = new Set<string>();
    const results: Array<{ user: string; category: string; before: number; after: number }> = [];
    for (const user of ['user-1', 'user-2', 'user-3', 'user-4', 'user-5']) {
      // The category this user touched least (and no other tested user got).
      const counts = new Map([...new Set(categoryOf.values())].map((c) => [c, 0]));
      for (const [u, item] of interactions) {
        if (u === user)
          counts.set(
            categoryOf.get(item as string) as string,
            (counts.get(categoryOf.get(item as string) as string) ?? 0) + 1,
          );
      }
      const [category] = [...counts]
        .filter(([c]) => !used.has(c))
        .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0] as [string, number];
      used.add(category);
      const before = share(model.recommend(user, 25), category);
      const browsed = items.filter((it) => it.category === category).slice(0, 10);
      model.learn(
        browsed.flatMap((it, k) => [
          { userId: user, itemId: it.id, eventType: 'View' },
          ...(k % 2 === 0 ? [{ userId: user, itemId: it.id, eventType: 'AddToCart' }] : []),
        ]),
      );
      const after = model.recommend(user, 25);
      expect(after).toHaveLength(25);
      expect(ids(after)).not.toEqual(expect.arrayContaining(browsed.map((it) => it.id).slice(0, 1)));
      results.push({ user, category, before, after: share(after, category) });
    }
    for (const r of results) {
      expect(r.before, JSON.stringify(r)).toBeLessThanOrEqual(2);
      expect(r.after, JSON.stringify(r)).toBeGreaterThanOrEqual(r.before + 5);
    }
    const meanAfter = results.reduce((sum, r) => sum + r.after, 0) / results.length;
    expect(meanAfter).toBeGreaterThanOrEqual(10);
  });
});

describe('scores', () => {
  it('are in [0, 1] with at most 6 significant digits, best first', async () => {
    const { model } = await trainModel(new URL('../../../../samples/local/interactions.csv', import.meta.url).pathname);
    for (let user = 1; user <= 100; user++) {
      const scores = model.recommend(`user-${user}`, 25).map((item) => item.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      for (const score of scores) {
        expect(score).toBeGreaterThanOrEqual(0);
        expect(score).toBeLessThanOrEqual(1);
        expect(
          String(score)
            .replace(/^0\.0*/, '')
            .replace('.', '').length,
        ).toBeLessThanOrEqual(6);
      }
    }
  });
});
