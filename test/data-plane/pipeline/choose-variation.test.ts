import { EvaluateFeatureCommand, EvidentlyClient } from '@aws-sdk/client-evidently';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { assignByHash } from '../../../data-plane/experiments/hash-bucketing.ts';
import { chooseVariation } from '../../../data-plane/pipeline/choose-variation.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { experimentsResolved } from '../experiments/config-fixtures.ts';

const resolved = experimentsResolved();
const rec = (action: 'recommend-items' | 'related-items', key: string) =>
  resolved.namespaces.get('shop')!.recommenders[action].get(key)!;

function deps() {
  const client = new EvidentlyClient({});
  const mock = mockClient(client);
  return { deps: { evidently: async () => client, logger: silentLogger }, mock };
}

describe('chooseVariation', () => {
  it('assigns by hash and reports the matched experiment', async () => {
    const { deps: d, mock } = deps();
    const expected = assignByHash('home', { weights: { a: 50, b: 30, c: 20 } }, ['a', 'b', 'c'], 'user-42');
    const choice = await chooseVariation(rec('recommend-items', 'rfy'), { userId: 'user-42' }, d);
    expect(choice.variationKey).toBe(expected);
    expect(choice.variation.key).toBe(expected);
    expect(choice.matchedExperiment).toEqual({
      method: 'hash',
      feature: 'home',
      variation: expected,
      type: 'hash',
      details: { experiment: 'home', treatment: expected },
    });
    expect(mock.calls()).toHaveLength(0);
  });

  it('uses the experiment named by feature, else the first', async () => {
    const { deps: d } = deps();
    const two = rec('recommend-items', 'two');
    expect((await chooseVariation(two, { userId: 'u1' }, d)).matchedExperiment).toEqual({
      method: 'hash',
      feature: 'first',
      variation: 'a',
      type: 'hash',
      details: { experiment: 'first', treatment: 'a' },
    });
    expect((await chooseVariation(two, { userId: 'u1', feature: 'second' }, d)).matchedExperiment).toEqual({
      method: 'hash',
      feature: 'second',
      variation: 'b',
      type: 'hash',
      details: { experiment: 'second', treatment: 'b' },
    });
  });

  it('rejects an unknown feature with a 400 naming the parameter', async () => {
    const { deps: d } = deps();
    await expect(
      chooseVariation(rec('recommend-items', 'rfy'), { userId: 'u1', feature: 'nope' }, d),
    ).rejects.toMatchObject({
      status: 400,
      code: 'UnknownFeature',
      message: expect.stringMatching(/^feature: .*'nope'/),
    });
  });

  it.each([
    ['no user', 'rfy', undefined],
    ['one variation', 'single', 'u1'],
    ['no experiments', 'plain', 'u1'],
  ])('serves the first variation without experiment when there is %s', async (_what, key, userId) => {
    const { deps: d } = deps();
    const choice = await chooseVariation(rec('recommend-items', key), { userId }, d);
    expect(choice.variationKey).toBe('a');
    expect(choice.matchedExperiment).toBeUndefined();
  });

  it('asks Evidently for evidently experiments', async () => {
    const { deps: d, mock } = deps();
    mock.on(EvaluateFeatureCommand).resolves({
      value: { stringValue: 'similar-items' },
      reason: 'EXPERIMENT_RULE_MATCH',
      details: '{"experiment":"pdp","treatment":"T1"}',
    });
    const choice = await chooseVariation(rec('related-items', 'similar'), { userId: '12' }, d);
    expect(choice.variationKey).toBe('similar-items');
    expect(choice.matchedExperiment).toEqual({
      method: 'evidently',
      feature: 'product-detail-view',
      variation: 'similar-items',
      type: 'evidently',
      details: { experiment: 'pdp', treatment: 'T1' },
    });
  });

  it('serves the variation of an Evidently launch without matchedExperiment: the user is in no experiment', async () => {
    const { deps: d, mock } = deps();
    mock.on(EvaluateFeatureCommand).resolves({ value: { stringValue: 'similar-items' }, reason: 'LAUNCH_RULE_MATCH' });
    const choice = await chooseVariation(rec('related-items', 'similar'), { userId: '12' }, d);
    expect(choice.variationKey).toBe('similar-items');
    expect(choice.matchedExperiment).toBeUndefined();
  });

  it('falls back to the first variation, without experiment, when Evidently fails', async () => {
    const { deps: d, mock } = deps();
    mock.on(EvaluateFeatureCommand).rejects(new Error('getaddrinfo ENOTFOUND evidently.us-east-1.amazonaws.com'));
    const choice = await chooseVariation(rec('related-items', 'similar'), { userId: '12' }, d);
    expect(choice.variationKey).toBe('sims');
    expect(choice.matchedExperiment).toBeUndefined();
  });
});
