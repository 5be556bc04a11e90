import { describe, expect, it } from 'vitest';
import { resolveConversions } from '../../../data-plane/events/conversions.ts';
import { assignByHash } from '../../../data-plane/experiments/hash-bucketing.ts';
import { experimentsResolved } from '../experiments/config-fixtures.ts';

const namespace = experimentsResolved().namespaces.get('shop')!;
const now = new Date('2026-11-02T10:00:00.000Z');
const resolve = (conversions: Array<{ recommender: string; feature?: string; metric: string; value?: number }>) =>
  resolveConversions(
    namespace,
    'user-42',
    conversions.map((c) => ({ value: 1, ...c })),
    now,
  );

describe('experiment conversions', () => {
  it('records a hash conversion with the user’s variation and the default feature', () => {
    const variation = assignByHash('home', { weights: { a: 50, b: 30, c: 20 } }, ['a', 'b', 'c'], 'user-42');
    expect(resolve([{ recommender: 'rfy', metric: 'clicks' }])).toEqual({
      records: [
        {
          kind: 'conversion',
          namespace: 'shop',
          action: 'recommend-items',
          recommender: 'rfy',
          feature: 'home',
          variation,
          method: 'hash',
          metric: 'clicks',
          value: 1,
          userId: 'user-42',
          timestamp: '2026-11-02T10:00:00.000Z',
        },
      ],
      evidently: [],
    });
  });

  it('finds a recommender under any action and sends evidently conversions to Evidently too', () => {
    const result = resolve([{ recommender: 'similar', metric: 'productDetailRecClicked', value: 4 }]);
    expect(result.records).toEqual([
      {
        kind: 'conversion',
        namespace: 'shop',
        action: 'related-items',
        recommender: 'similar',
        feature: 'product-detail-view',
        method: 'evidently',
        metric: 'productDetailRecClicked',
        value: 4,
        userId: 'user-42',
        timestamp: '2026-11-02T10:00:00.000Z',
      },
    ]);
    expect(result.evidently).toEqual([
      {
        project: 'my-store',
        metric: { trackExposures: true, entityIdKey: 'userDetails.userId', valueKey: 'details.productClicked' },
        userId: 'user-42',
        value: 4,
        timestamp: now,
        record: result.records[0],
      },
    ]);
  });

  it('accepts any metric for a hash experiment that lists none', () => {
    expect(resolve([{ recommender: 'open', metric: 'whatever' }]).records[0]).toMatchObject({ metric: 'whatever' });
  });

  it('uses the named feature among several', () => {
    expect(resolve([{ recommender: 'two', feature: 'second', metric: 'clicks' }]).records[0]).toMatchObject({
      feature: 'second',
      variation: 'b',
    });
  });

  it.each([
    [
      { recommender: 'ghost', metric: 'm' },
      "experimentConversions[0].recommender: namespace 'shop' has no recommender 'ghost'",
    ],
    [
      { recommender: 'plain', metric: 'm' },
      "experimentConversions[0].recommender: recommender 'plain' has no experiments",
    ],
    [
      { recommender: 'two', metric: 'clicks' },
      "experimentConversions[0].feature: is required: recommender 'two' has several experiments (first, second)",
    ],
    [
      { recommender: 'rfy', feature: 'nope', metric: 'clicks' },
      "experimentConversions[0].feature: recommender 'rfy' has no experiment 'nope'",
    ],
    [
      { recommender: 'rfy', metric: 'views' },
      "experimentConversions[0].metric: experiment 'home' has no metric 'views' (it has: clicks, purchases)",
    ],
    [
      { recommender: 'similar', metric: 'clicks' },
      "experimentConversions[0].metric: experiment 'product-detail-view' has no metric 'clicks' (it has: productDetailRecClicked)",
    ],
  ])('rejects %o with a 400 naming the field', (conversion, message) => {
    expect(() => resolve([conversion])).toThrow(
      expect.objectContaining({ status: 400, code: 'InvalidConversion', message }),
    );
  });

  it('names the index of the bad conversion', () => {
    expect(() =>
      resolve([
        { recommender: 'rfy', metric: 'clicks' },
        { recommender: 'rfy', metric: 'clicks' },
        { recommender: 'ghost', metric: 'm' },
      ]),
    ).toThrow(/^experimentConversions\[2\]\.recommender:/);
  });
});
