import { describe, expect, it } from 'vitest';
import { parseFlag } from '../../../contracts/inference-query.ts';
import { OriginFailedError, OriginThrottledError } from '../../../data-plane/errors.ts';
import { cacheControlFor, cacheControlHeader } from '../../../data-plane/pipeline/cache-control.ts';
import { withTimeout } from '../../../data-plane/pipeline/call-origin.ts';
import { decorateItems } from '../../../data-plane/pipeline/decorate.ts';
import { freshEtag, makeEtag, parseEtag } from '../../../data-plane/pipeline/etag.ts';
import { originNumResults } from '../../../data-plane/pipeline/look-ahead.ts';
import { parseInferenceQuery } from '../../../data-plane/pipeline/query.ts';

describe('etag', () => {
  const scope = 'v1 recommend-items/shop/top/u1';
  it('round-trips and expires after maxAge', () => {
    const etag = makeEtag('{"itemList":[]}', 1_000_000, 60, scope);
    expect(parseEtag(etag)).toMatchObject({ issuedAt: 1_000_000, maxAge: 60 });
    expect(freshEtag(etag, 1_000_000 + 59_999, scope)).toBe(etag);
    expect(freshEtag(etag, 1_000_000 + 60_000, scope)).toBeUndefined();
    expect(freshEtag(etag, 999_999, scope)).toBeUndefined();
  });

  it('finds ours in a list and ignores weak markers and junk', () => {
    const etag = makeEtag('x', 5000, 10, scope);
    expect(freshEtag(`"nope", W/${etag}`, 6000, scope)).toBe(`W/${etag}`);
    expect(freshEtag('*', 6000, scope)).toBeUndefined();
    expect(freshEtag('"-1-1"', 6000, scope)).toBeUndefined();
  });

  it('is good only for what it was issued for (another request or configuration, or a forged MAC, is ignored)', () => {
    const etag = makeEtag('x', 5000, 10, scope);
    expect(freshEtag(etag, 6000, 'v2 recommend-items/shop/top/u1')).toBeUndefined();
    expect(freshEtag(etag, 6000, 'v1 recommend-items/shop/top/u2')).toBeUndefined();
    expect(freshEtag(etag.replace(/-[0-9a-f]{16}"$/, '-0000000000000000"'), 6000, scope)).toBeUndefined();
  });

  it('changes with the body', () => {
    expect(makeEtag('a', 1, 1, scope)).not.toBe(makeEtag('b', 1, 1, scope));
  });
});

describe('query', () => {
  const limits = { defaultNumResults: 25, maxNumResults: 500 };
  it('parses flags the documented way', () => {
    expect(['1', 'yes', 'TRUE', ' True '].map((v) => parseFlag(v, false))).toEqual([true, true, true, true]);
    expect(['0', 'no', 'on', ''].map((v) => parseFlag(v, true))).toEqual([false, false, false, false]);
    expect(parseFlag(undefined, true)).toBe(true);
  });

  it('fills defaults', () => {
    expect(parseInferenceQuery({}, limits)).toEqual({ numResults: 25, decorateItems: true, syntheticUser: false });
  });

  it('parses every parameter', () => {
    expect(
      parseInferenceQuery(
        {
          numResults: '7',
          filter: 'in-stock',
          filterValues: '{"A":"\\"x\\""}',
          context: '{"device":"tv"}',
          decorateItems: 'no',
          syntheticUser: 'yes',
          feature: 'home',
          userId: 'u1',
        },
        limits,
      ),
    ).toEqual({
      numResults: 7,
      filter: 'in-stock',
      filterValues: { A: '"x"' },
      context: { device: 'tv' },
      decorateItems: false,
      syntheticUser: true,
      feature: 'home',
      userId: 'u1',
    });
  });

  it('names the parameter in every 400', () => {
    for (const [name, value] of [
      ['numResults', '-1'],
      ['numResults', '1e3'],
      ['context', 'null'],
      ['filterValues', '{"a":{"b":1}}'],
      ['userId', ''],
    ] as const) {
      expect(() => parseInferenceQuery({ [name]: value }, limits)).toThrow(new RegExp(`^${name}`));
    }
  });
});

describe('look-ahead', () => {
  const processor = { type: 'function' as const, arn: 'arn:aws:lambda:us-east-1:1:function:f' };
  it('multiplies, caps by the maximum and by 500 for Personalize', () => {
    expect(originNumResults(10, undefined, 'http')).toBe(10);
    expect(originNumResults(10, processor, 'http')).toBe(10);
    expect(originNumResults(10, { ...processor, lookAheadMultiplier: 3 }, 'http')).toBe(30);
    expect(originNumResults(10, { ...processor, lookAheadMultiplier: 3, lookAheadMaximumValue: 25 }, 'http')).toBe(25);
    expect(originNumResults(300, { ...processor, lookAheadMultiplier: 3 }, 'personalize-campaign')).toBe(500);
    expect(originNumResults(300, { ...processor, lookAheadMultiplier: 3 }, 'http')).toBe(900);
  });
});

describe('cache control', () => {
  const cc = {
    autoProvision: true,
    userSpecified: { maxAge: 1, directives: 'private' },
    syntheticUserSpecified: { maxAge: 2 },
    noUserSpecified: { maxAge: 3, directives: 'public, stale-while-revalidate=5' },
  };
  it('picks the entry by user kind and renders it', () => {
    expect(cacheControlHeader(cacheControlFor(cc, { hasUser: true, syntheticUser: false }))).toBe('max-age=1, private');
    expect(cacheControlHeader(cacheControlFor(cc, { hasUser: true, syntheticUser: true }))).toBe('max-age=2');
    expect(cacheControlHeader(cacheControlFor(cc, { hasUser: false, syntheticUser: true }))).toBe(
      'max-age=3, public, stale-while-revalidate=5',
    );
  });
});

describe('withTimeout', () => {
  it('aborts the task at the deadline with a 504 even when the task ignores the signal', async () => {
    let aborted = false;
    const err = await withTimeout(
      (signal) => {
        signal.addEventListener('abort', () => {
          aborted = true;
        });
        return new Promise(() => {});
      },
      20,
      'slow origin',
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({
      status: 504,
      code: 'OriginTimeout',
      message: 'slow origin did not answer within 20 ms',
    });
    expect(aborted).toBe(true);
  });

  it('maps throttling and failures', async () => {
    const throttle = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    await expect(withTimeout(async () => Promise.reject(throttle), 1000, 'o')).rejects.toBeInstanceOf(
      OriginThrottledError,
    );
    const status429 = Object.assign(new Error('x'), { name: 'Whatever', $metadata: { httpStatusCode: 429 } });
    await expect(withTimeout(async () => Promise.reject(status429), 1000, 'o')).rejects.toBeInstanceOf(
      OriginThrottledError,
    );
    await expect(withTimeout(async () => Promise.reject(new Error('nope')), 1000, 'o')).rejects.toBeInstanceOf(
      OriginFailedError,
    );
  });
});

describe('decorateItems', () => {
  it('asks the store once for every ID and keeps items it does not know', async () => {
    const asked: string[][] = [];
    const items = await decorateItems([{ itemId: 'a', score: 1 }, { itemId: 'b' }], {
      getMany: async (ids) => {
        asked.push([...ids]);
        return new Map([['a', { name: 'A' }]]);
      },
    });
    expect(asked).toEqual([['a', 'b']]);
    expect(items).toEqual([{ itemId: 'a', score: 1, metadata: { name: 'A' } }, { itemId: 'b' }]);
  });

  it('reads an in-process store in the call (getManyNow), without its deadline race, and leaves the items as they were', async () => {
    const original = [{ itemId: 'a', score: 1, reason: ['r'] }];
    const items = await decorateItems(original, {
      getMany: () => Promise.reject(new Error('getMany must not be used')),
      getManyNow: (ids) => new Map(ids.map((id) => [id, { name: id.toUpperCase() }])),
    });
    expect(items).toEqual([{ itemId: 'a', score: 1, reason: ['r'], metadata: { name: 'A' } }]);
    expect(original).toEqual([{ itemId: 'a', score: 1, reason: ['r'] }]);
  });

  it('turns a failing in-process store into a 502 naming the store', async () => {
    await expect(
      decorateItems([{ itemId: 'a' }], {
        getMany: async () => new Map(),
        getManyNow: () => {
          throw new Error('file gone');
        },
      }),
    ).rejects.toMatchObject({ status: 502 });
  });
});
