/** Decoration's hot path: the bounded item cache and the Braze record assembled from per-item fragments. */
import { describe, expect, it } from 'vitest';
import { brazeFormatter } from '../../connectors/destinations/braze.ts';
import { createItemDecorator } from '../../connectors/item-decorator.ts';
import { brazeConnectorSchema } from '../../connectors/job-config.ts';
import type { ItemMetadata } from '../../contracts/item-metadata/item.ts';
import type { ItemMetadataStore } from '../../data-plane/item-metadata/types.ts';

function countingStore(items: Record<string, ItemMetadata>) {
  const asked: string[][] = [];
  const store = {
    async getMany(ids: readonly string[]) {
      asked.push([...ids]);
      return new Map(ids.flatMap((id) => (items[id] ? [[id, items[id]] as const] : [])));
    },
  } as unknown as ItemMetadataStore;
  return { store, asked };
}

describe('createItemDecorator', () => {
  const items = { a: { name: 'A' }, b: { name: 'B' }, c: { name: 'C' }, d: { name: 'D' } };

  it('asks the store once per item, remembers unknown items, and answers every item of a batch', async () => {
    const { store, asked } = countingStore(items);
    const decorator = createItemDecorator(store, 10);
    const first = await decorator.lookup([
      ['a', 'b'],
      ['b', 'x'],
    ]);
    expect([first.get('a'), first.get('b'), first.get('x')]).toEqual([{ name: 'A' }, { name: 'B' }, undefined]);
    const second = await decorator.lookup([['a', 'x', 'c']]);
    expect([second.get('a'), second.get('c'), second.get('x')]).toEqual([{ name: 'A' }, { name: 'C' }, undefined]);
    expect(asked).toEqual([['a', 'b', 'x'], ['c']]);
  });

  it('when full, starts again with the batch; a batch larger than the cache still gets all its items', async () => {
    const { store, asked } = countingStore(items);
    const decorator = createItemDecorator(store, 2);
    await decorator.lookup([['a', 'b']]);
    const next = await decorator.lookup([['b', 'c']]);
    expect([next.get('b'), next.get('c')]).toEqual([{ name: 'B' }, { name: 'C' }]);
    const big = await decorator.lookup([['a', 'b', 'c', 'd']]);
    expect(['a', 'b', 'c', 'd'].map((id) => big.get(id)?.name)).toEqual(['A', 'B', 'C', 'D']);
    expect(asked).toEqual([
      ['a', 'b'],
      ['b', 'c'],
      ['a', 'b', 'c', 'd'],
    ]);
  });
});

describe('Braze records', () => {
  const metadata = new Map<string, ItemMetadata>([
    ['i1', { name: 'Scarf "wool"', price: 9.5 }],
    ['i2', { name: 'Hat', price: 12 }],
  ]);
  const list = {
    ids: ['i2', 'missing', 'i1'],
    scores: [0.9, 0.5, 0.1],
    metadata: { get: (id: string) => metadata.get(id) },
  };

  it('assembled from cached item fragments, equal to the record built as an object', () => {
    const config = brazeConnectorSchema.parse({
      itemMetadataFields: ['id', 'name', 'price'],
      attributePrefix: 'recs_',
      otherAttributes: { recs_batch: 'w48' },
    });
    const format = brazeFormatter(config);
    const expected = {
      external_id: 'u"1',
      recs_id: ['i2', 'missing', 'i1'],
      recs_name: ['Hat', null, 'Scarf "wool"'],
      recs_price: [12, null, 9.5],
      recs_batch: 'w48',
    };
    // Twice: the second record comes from the cache.
    for (let i = 0; i < 2; i++) expect(JSON.parse(format.record('u"1', list).json)).toEqual(expected);
    expect(JSON.parse(format.record('u2', { ...list, ids: [] }).json)).toMatchObject({ recs_id: [], recs_name: [] });
  });

  it('signs the record: the same record the same signature in every run, any change another one', () => {
    const config = brazeConnectorSchema.parse({
      itemMetadataFields: ['id', 'name', 'price'],
      attributePrefix: 'recs_',
    });
    const sign = (l: typeof list, user = 'u1', c = config) => brazeFormatter(c).record(user, l).signature;
    const base = sign(list);
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(sign(list)).toBe(base);
    const changed = new Map(metadata).set('i1', { name: 'Scarf "wool"', price: 9.75 });
    const differs = [
      sign(list, 'u2'),
      sign({ ...list, ids: ['i1', 'missing', 'i2'] }),
      sign({ ...list, ids: ['i2', 'missing'] }),
      sign({ ...list, metadata: { get: (id: string) => changed.get(id) } }),
      sign(list, 'u1', { ...config, attributePrefix: 'other_' }),
      sign(list, 'u1', { ...config, otherAttributes: { recs_batch: 'w49' } }),
    ];
    expect(new Set([base, ...differs]).size).toBe(differs.length + 1);
  });

  it('a score field takes the batch job’s scores where the catalogue has none', () => {
    const format = brazeFormatter(
      brazeConnectorSchema.parse({ itemMetadataFields: ['id', 'score'], attributePrefix: 'r_' }),
    );
    expect(JSON.parse(format.record('u1', list).json)).toEqual({
      external_id: 'u1',
      r_id: ['i2', 'missing', 'i1'],
      r_score: [0.9, 0.5, 0.1],
    });
  });
});
