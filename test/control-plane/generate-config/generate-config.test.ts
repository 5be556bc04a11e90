import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { describe, expect, it } from 'vitest';
import { generateConfig, keyFor } from '../../../control-plane/generate-config/generate-config.ts';
import { actionForRecipe } from '../../../control-plane/generate-config/recipe-action.ts';
import { validateConfig } from '../../../schema/validate-config.ts';
import { fakePersonalize, MEDIA, RETAIL } from './personalize-fake.ts';

const P = 'arn:aws:personalize:us-east-1:123456789012';

describe('generateConfig', () => {
  it('builds one namespace per dataset group from recommenders, campaigns, event trackers and filters', async () => {
    fakePersonalize();
    const { config, skipped } = await generateConfig({ personalize: new PersonalizeClient({}), datasetGroups: 'all' });

    // The old generator's caching defaults: private 10 s with a user, public 300 s synthetic, 1200 s without.
    expect(config.cacheControl).toEqual({
      autoProvision: true,
      userSpecified: { maxAge: 10, directives: 'private' },
      syntheticUserSpecified: { maxAge: 300, directives: 'public' },
      noUserSpecified: { maxAge: 1200, directives: 'public' },
    });

    expect(config.namespaces).toEqual({
      retail: {
        name: 'retail',
        description: `Amazon Personalize dataset group ${RETAIL}. Filters you can pass as the filter query parameter: exclude-purchased, by-category.`,
        recommenders: {
          'recommend-items': {
            'recommended-for-you': {
              name: 'recommended for you',
              variations: { 'recommended-for-you': { type: 'personalize-recommender', arn: `${P}:recommender/rfy` } },
            },
          },
          'related-items': {
            fbt: { name: 'fbt', variations: { fbt: { type: 'personalize-recommender', arn: `${P}:recommender/fbt` } } },
          },
        },
        eventTargets: [{ type: 'personalize-event-tracker', trackingId: 'a1b2c3d4-tracking' }],
      },
      media: {
        name: 'media',
        description: `Amazon Personalize dataset group ${MEDIA}.`,
        recommenders: {
          'recommend-items': {
            'up-campaign': {
              name: 'up-campaign',
              variations: { 'up-campaign': { type: 'personalize-campaign', arn: `${P}:campaign/up-campaign` } },
            },
          },
          'rerank-items': {
            ranking: {
              name: 'ranking',
              variations: { ranking: { type: 'personalize-campaign', arn: `${P}:campaign/ranking` } },
            },
          },
        },
      },
    });
    expect(skipped).toEqual([
      {
        arn: `${P}:campaign/nba`,
        reason: 'recipe arn:aws:personalize:::recipe/aws-next-best-action serves no API action',
      },
    ]);
    expect(validateConfig(config).ok).toBe(true);
  });

  it('keeps only the named dataset groups, by name or ARN', async () => {
    fakePersonalize();
    const { config } = await generateConfig({ personalize: new PersonalizeClient({}), datasetGroups: [MEDIA] });
    expect(Object.keys(config.namespaces)).toEqual(['media']);
  });

  it('names the dataset groups it cannot find', async () => {
    fakePersonalize();
    await expect(
      generateConfig({ personalize: new PersonalizeClient({}), datasetGroups: ['retail', 'nope'] }),
    ).rejects.toMatchObject({ name: 'ValidationFailed', message: 'dataset groups not found: nope' });
  });
});

describe('actionForRecipe', () => {
  it.each([
    ['aws-user-personalization', 'recommend-items'],
    ['aws-user-personalization-v2', 'recommend-items'],
    ['aws-ecomm-recommended-for-you', 'recommend-items'],
    ['aws-vod-top-picks', 'recommend-items'],
    ['aws-popularity-count', 'recommend-items'],
    ['aws-similar-items', 'related-items'],
    ['aws-sims', 'related-items'],
    ['aws-vod-more-like-x', 'related-items'],
    ['aws-ecomm-frequently-bought-together', 'related-items'],
    ['aws-ecomm-customers-who-viewed-x-also-viewed', 'related-items'],
    ['aws-personalized-ranking', 'rerank-items'],
    ['aws-personalized-ranking-v2', 'rerank-items'],
    ['aws-next-best-action', undefined],
    ['aws-item-attribute-affinity', undefined],
  ])('%s → %s', (recipe, action) => {
    expect(actionForRecipe(`arn:aws:personalize:::recipe/${recipe}`)).toBe(action);
  });
});

describe('keyFor', () => {
  it('makes path-safe keys and keeps them unique', () => {
    const taken = new Set<string>();
    expect(keyFor('My Store!', taken)).toBe('My-Store');
    expect(keyFor('My Store?', taken)).toBe('My-Store-2');
    expect(keyFor('***', taken)).toBe('resource');
  });
});
