import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecommendedItem } from '../../../data-plane/origins/types.ts';
import { inferenceBodyJson, numberJson } from '../../../data-plane/pipeline/body-json.ts';

const reference = (key: string, items: unknown[], recommendationId: string, matchedExperiment?: unknown) =>
  JSON.stringify({ [key]: items, recommendationId, ...(matchedExperiment ? { matchedExperiment } : {}) });

describe('inferenceBodyJson', () => {
  it('writes what JSON.stringify writes, for any items', () => {
    const item = fc.dictionary(fc.string(), fc.jsonValue()).chain((rest) =>
      fc.record({
        itemId: fc.string({ unit: 'binary' }),
        score: fc.oneof(fc.double(), fc.constant(undefined)),
        metadata: fc.oneof(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()), fc.constant(undefined)),
        rest: fc.constant(rest),
      }),
    );
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 8 }),
        fc.string({ unit: 'binary' }),
        fc.option(fc.record({ feature: fc.string(), variation: fc.string() }), { nil: undefined }),
        (generated, recommendationId, matched) => {
          const items = generated.map(({ rest, ...fields }) => ({ ...rest, ...fields }) as RecommendedItem);
          const json = inferenceBodyJson('itemList', items, recommendationId, matched);
          expect(json).toBe(reference('itemList', items, recommendationId, matched));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes a shared metadata object as it is now, each time it is written', () => {
    const metadata = { name: 'Lamp "Lumen"', price: 12.5, tags: ['a\nb'] };
    const items = [
      { itemId: 'a', score: 0.5, metadata },
      { itemId: 'b', metadata },
    ];
    const once = inferenceBodyJson('personalizedRanking', items, 'r-1');
    expect(once).toBe(reference('personalizedRanking', items, 'r-1'));
    expect(inferenceBodyJson('personalizedRanking', items, 'r-1')).toBe(once);
    expect(JSON.parse(once).personalizedRanking[1].metadata).toEqual(metadata);
  });

  it('writes items of the usual shape from what it kept, whichever item a metadata object was last written for', () => {
    const lamp = { name: 'Lamp', price: 12.5 };
    const desk = { name: 'Desk "Oak"', tags: ['a\u2028b'] };
    const lists = [
      [
        { itemId: 'a', score: 0.5, metadata: lamp },
        { itemId: 'b', score: 0.25, metadata: desk },
      ],
      [
        { itemId: 'b', score: 0.123457, metadata: desk },
        { itemId: 'q"\\', score: 1e-7, metadata: lamp },
        { itemId: 'a', score: 3, metadata: lamp },
      ],
      [
        { itemId: 'a', metadata: lamp, score: 0.5 },
        { score: 0.5, itemId: 'a', metadata: lamp },
        { itemId: 'c', score: Number.NaN, metadata: desk },
      ],
    ];
    for (let round = 0; round < 2; round++) {
      for (const items of lists)
        expect(inferenceBodyJson('itemList', items, 'r')).toBe(reference('itemList', items, 'r'));
    }
  });

  it('leaves out what JSON.stringify leaves out and writes non-finite numbers as null', () => {
    const items = [{ itemId: 'a', score: Number.NaN, reason: undefined, extra: () => 1, inf: -Infinity }];
    expect(inferenceBodyJson('itemList', items as RecommendedItem[], 'r')).toBe(
      '{"itemList":[{"itemId":"a","score":null,"inf":null}],"recommendationId":"r"}',
    );
  });

  it('escapes lone surrogates, controls, quotes and backslashes as JSON.stringify does', () => {
    for (const itemId of ['\ud800', 'a\udc00b', '😀', 'tab\there', 'q"\\', '\u2028', '\u007f\u0085']) {
      const items = [{ itemId, metadata: { [itemId]: itemId } }];
      expect(inferenceBodyJson('itemList', items, itemId)).toBe(reference('itemList', items, itemId));
    }
  });
});

describe('numberJson', () => {
  it('writes what String writes, for any double and for scores rounded to any precision', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(numberJson(value)).toBe(String(value));
      }),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(fc.double({ min: 1e-7, max: 1, noNaN: true }), fc.integer({ min: 1, max: 17 }), (value, digits) => {
        const score = Number(value.toPrecision(digits));
        expect(numberJson(score)).toBe(String(score));
      }),
      { numRuns: 20_000 },
    );
  });

  it('writes the edges of its fast range as String does', () => {
    const edges = [
      1e-6,
      1e-6 - 1e-22,
      1.5e-6,
      9.99999e-7,
      0.1,
      0.2,
      0.1 + 0.2,
      0.3,
      1 / 3,
      0.5,
      0.999999,
      1 - 2 ** -53,
      1,
    ];
    for (const value of [...edges, ...edges.map((v) => -v), 0, -0, 5e-324, 123.456]) {
      expect(numberJson(value)).toBe(String(value));
    }
  });
});
