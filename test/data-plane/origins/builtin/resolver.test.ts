import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError } from '../../../../data-plane/errors.ts';
import { createBuiltinModels } from '../../../../data-plane/origins/builtin/registry.ts';
import { createBuiltinResolver } from '../../../../data-plane/origins/builtin/resolver.ts';
import type { OriginRequest } from '../../../../data-plane/origins/types.ts';
import { callOrigin } from '../../../../data-plane/pipeline/call-origin.ts';
import type { Action, Config } from '../../../../schema/config-schema.ts';
import { type ResolvedConfig, resolveConfig } from '../../../../schema/resolve-config.ts';

const CSV = [
  'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE',
  'u1,a,1,View',
  'u1,b,2,View',
  'u2,a,3,View',
  'u2,b,4,View',
  'u2,c,5,View',
  'u3,d,6,Purchase',
  'u4,d,7,View',
  'u4,e,8,View',
].join('\n');

describe('createBuiltinResolver', () => {
  let dir: string;
  let resolved: ResolvedConfig;
  const models = createBuiltinModels({ catalogue: async (_namespace, ids) => new Set(ids.filter((id) => id === 'f')) });
  const resolver = createBuiltinResolver(models);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'p13n-builtin-resolver-'));
    await writeFile(join(dir, 'shop.csv'), CSV);
    const variations = {
      co: { type: 'builtin', interactionsFile: 'shop.csv' },
      keep: { type: 'builtin', interactionsFile: 'shop.csv', excludeInteracted: false },
      pop: { type: 'builtin', interactionsFile: 'shop.csv', algorithm: 'popularity' },
    };
    const config = {
      version: '1',
      namespaces: {
        shop: {
          recommenders: {
            'recommend-items': { 'for-you': { variations } },
            'related-items': { similar: { variations } },
            'rerank-items': { ranking: { variations } },
          },
        },
      },
    } as unknown as Config;
    resolved = resolveConfig(config, { baseDir: dir });
    await models.prepare(resolved);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function request(action: Action, variationKey: string, fields: Partial<OriginRequest>): OriginRequest {
    const recommender = [...(resolved.namespaces.get('shop')?.recommenders[action].values() ?? [])][0];
    if (!recommender) throw new Error('no recommender');
    const variation = recommender.variations.get(variationKey);
    if (!variation) throw new Error('no variation');
    return {
      action,
      namespace: 'shop',
      recommender,
      variation,
      numResults: 25,
      context: {},
      signal: new AbortController().signal,
      ...fields,
    };
  }

  it('recommend-items: the user’s co-occurring items first, then popular ones, without the user’s own', async () => {
    const result = await resolver(request('recommend-items', 'co', { userId: 'u1', numResults: 3 }));
    expect(result.items.map((i) => i.itemId)).toEqual(['c', 'd', 'e']);
    for (const item of result.items) expect(item).toEqual({ itemId: item.itemId, score: expect.any(Number) });
  });

  it('recommend-items honours numResults and the variation’s excludeInteracted', async () => {
    const one = await resolver(request('recommend-items', 'co', { userId: 'u1', numResults: 1 }));
    expect(one.items).toHaveLength(1);
    const kept = await resolver(request('recommend-items', 'keep', { userId: 'u1', numResults: 3 }));
    expect(kept.items.map((i) => i.itemId)).toEqual(['a', 'c', 'b']);
  });

  it('recommend-items with the popularity algorithm, and for an unknown user', async () => {
    const pop = await resolver(request('recommend-items', 'pop', { userId: 'u1', numResults: 2 }));
    expect(pop.items).toEqual([
      { itemId: 'd', score: 1 },
      { itemId: 'c', score: expect.any(Number) },
    ]);
    const stranger = await resolver(request('recommend-items', 'co', { userId: 'nobody', numResults: 2 }));
    expect(stranger.items.map((i) => i.itemId)).toEqual(['d', 'a']);
  });

  it('related-items: co-occurring items, never the item itself; with a user, not what they saw', async () => {
    const related = await resolver(request('related-items', 'co', { itemId: 'a', numResults: 2 }));
    expect(related.items.map((i) => i.itemId)).toEqual(['b', 'c']);
    const forUser = await resolver(request('related-items', 'co', { itemId: 'a', userId: 'u2', numResults: 2 }));
    expect(forUser.items.map((i) => i.itemId)).toEqual(['d', 'e']);
  });

  it('rerank-items: every given item ordered by affinity, unknown ones last', async () => {
    const ranked = await resolver(request('rerank-items', 'co', { userId: 'u1', itemList: ['zzz', 'e', 'c', 'a'] }));
    expect(ranked.items.map((i) => i.itemId)).toEqual(['a', 'c', 'e', 'zzz']);
    expect(ranked.items[3]).toEqual({ itemId: 'zzz', score: 0 });
    const trimmed = await resolver(
      request('rerank-items', 'co', { userId: 'u1', itemList: ['zzz', 'e', 'c', 'a'], numResults: 2 }),
    );
    expect(trimmed.items.map((i) => i.itemId)).toEqual(['a', 'c']);
  });

  it('reflects events learned through the registry in the next answer (f is new, found in the catalogue)', async () => {
    await models.learn('shop', [
      { userId: 'u5', itemId: 'e', eventType: 'View' },
      { userId: 'u5', itemId: 'f', eventType: 'View' },
    ]);
    const related = await resolver(request('related-items', 'co', { itemId: 'f', numResults: 1 }));
    expect(related.items.map((i) => i.itemId)).toEqual(['e']);
  });

  it('answers 400 naming the field when the item or item list is missing', async () => {
    await expect(resolver(request('related-items', 'co', {}))).rejects.toMatchObject({
      status: 400,
      message: 'itemId is required for related-items',
    });
    await expect(resolver(request('rerank-items', 'co', { userId: 'u1' }))).rejects.toBeInstanceOf(BadRequestError);
  });

  it('answerNow gives what the resolver gives once the model is trained, and nothing before', async () => {
    const { signal: _signal, ...fields } = request('recommend-items', 'co', { userId: 'u2', numResults: 3 });
    expect(resolver.answerNow?.(fields)).toEqual(await resolver(request('recommend-items', 'co', fields)));
    const untrained = createBuiltinResolver(createBuiltinModels());
    expect(untrained.answerNow?.(fields)).toBeUndefined();
    expect(() => resolver.answerNow?.({ ...fields, action: 'related-items' })).toThrow(BadRequestError);
  });

  it('a model still training is waited for under callOrigin’s timeout', async () => {
    const slow = createBuiltinResolver({
      ...models,
      trained: () => undefined,
      get: () => new Promise(() => undefined),
    });
    const { signal: _signal, ...fields } = request('recommend-items', 'co', { userId: 'u1' });
    const variation = { ...fields.variation, timeoutMs: 50 } as typeof fields.variation;
    await expect(callOrigin({ builtin: slow }, { ...fields, variation })).rejects.toMatchObject({
      status: 504,
      code: 'OriginTimeout',
    });
  });

  it('callOrigin takes answerNow’s answer without calling the resolver', async () => {
    const { signal: _signal, ...fields } = request('related-items', 'co', { itemId: 'a', numResults: 2 });
    const calls: string[] = [];
    const counted = Object.assign(
      async (r: OriginRequest) => {
        calls.push('resolver');
        return resolver(r);
      },
      { answerNow: resolver.answerNow },
    );
    const result = await callOrigin({ builtin: counted }, fields);
    expect(result.items.map((i) => i.itemId)).toEqual(['b', 'c']);
    expect(calls).toEqual([]);
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('timed out'));
    await expect(
      resolver(request('recommend-items', 'co', { userId: 'u1', signal: controller.signal })),
    ).rejects.toThrow('timed out');
  });
});
