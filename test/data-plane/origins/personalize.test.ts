/**
 * The Personalize resolver through the real @aws-sdk/client-personalize-runtime client against a local
 * server speaking its REST-JSON protocol, so request and response serialisation are exercised for real.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../shared/aws-clients.ts';
import { type FakePersonalizeRuntime, startFakePersonalizeRuntime } from '../../helpers/fake-personalize-runtime.ts';
import { appFor, json } from '../helpers.ts';

let fake: FakePersonalizeRuntime;
let calls: FakePersonalizeRuntime['calls'];

beforeAll(async () => {
  fake = await startFakePersonalizeRuntime();
  calls = fake.calls;
});
afterAll(() => fake.close());
beforeEach(() => {
  calls.length = 0;
  fake.mode = 'ok';
});

const CAMPAIGN = 'arn:aws:personalize:us-east-1:123456789012:campaign/user-personalization';
const RECOMMENDER = 'arn:aws:personalize:us-east-1:123456789012:recommender/top-picks';
const config = {
  version: 'p1',
  namespaces: {
    shop: {
      inferenceItemMetadata: { type: 'personalize', itemColumns: ['NAME', 'PRICE'] },
      autoContext: {
        DEVICE: {
          type: 'string',
          rules: [
            {
              type: 'header-value',
              header: 'cloudfront-is-mobile-viewer',
              valueMappings: [{ operator: 'equals', value: 'true', mapTo: 'Phone' }],
            },
          ],
        },
      },
      recommenders: {
        'recommend-items': {
          campaign: {
            variations: {
              up: {
                type: 'personalize-campaign',
                arn: CAMPAIGN,
                filters: [
                  {
                    arn: 'arn:aws:personalize:us-east-1:123456789012:filter/by-metro',
                    autoDynamicFilterValues: {
                      METRO: {
                        type: 'string',
                        rules: [{ type: 'header-value', header: 'cloudfront-viewer-metro-code' }],
                      },
                    },
                  },
                ],
              },
            },
          },
          picks: { variations: { rec: { type: 'personalize-recommender', arn: RECOMMENDER } } },
        },
        'related-items': { similar: { variations: { sims: { type: 'personalize-campaign', arn: CAMPAIGN } } } },
        'rerank-items': { ranking: { variations: { rank: { type: 'personalize-campaign', arn: CAMPAIGN } } } },
      },
    },
  },
};

const app = () =>
  appFor(config, {
    clients: createAwsClients({
      region: 'us-east-1',
      maxAttempts: 1,
      endpoints: { personalizeRuntime: fake.endpoint },
    }),
  });

describe('Personalize origin over the real SDK client', () => {
  it('GetRecommendations with campaignArn, context, auto filter values and metadata columns', async () => {
    const res = await (await app()).request('/recommend-items/shop/campaign/u%201?numResults=2', {
      headers: { 'CloudFront-Is-Mobile-Viewer': 'true', 'CloudFront-Viewer-Metro-Code': '819' },
    });
    expect(res.status).toBe(200);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe('/recommendations');
    expect(calls[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 .*personalize\/aws4_request/);
    expect(calls[0]!.body).toEqual({
      campaignArn: CAMPAIGN,
      userId: 'u 1',
      numResults: 2,
      context: { DEVICE: 'Phone' },
      filterArn: 'arn:aws:personalize:us-east-1:123456789012:filter/by-metro',
      filterValues: { METRO: '"819"' },
      metadataColumns: { ITEMS: ['NAME', 'PRICE'] },
    });
    expect(await json(res)).toEqual({
      itemList: [
        { itemId: 'p0', score: 0.5, metadata: { name: 'Product 0' }, reason: ['Popular'] },
        { itemId: 'p1', score: 0.5, metadata: { name: 'Product 1' }, reason: ['Popular'] },
      ],
      recommendationId: 'RID-1',
    });
  });

  it('uses recommenderArn for recommender ARNs, and no metadata columns when decoration is off', async () => {
    await (await app()).request('/recommend-items/shop/picks/u1?decorateItems=false');
    expect(calls[0]!.body).toEqual({ recommenderArn: RECOMMENDER, userId: 'u1', numResults: 25 });
  });

  it('related-items sends itemId and the optional user', async () => {
    await (await app()).request('/related-items/shop/similar/i%2F7?userId=u2&numResults=3&filter=in-stock');
    expect(calls[0]!.body).toMatchObject({
      campaignArn: CAMPAIGN,
      itemId: 'i/7',
      userId: 'u2',
      numResults: 3,
      filterArn: 'arn:aws:personalize:us-east-1:123456789012:filter/in-stock',
    });
  });

  it('rerank-items calls GetPersonalizedRanking with the input list (GET and POST)', async () => {
    const a = await app();
    const get = await a.request('/rerank-items/shop/ranking/u1/x,y');
    expect(calls[0]!.path).toBe('/personalize-ranking');
    expect(calls[0]!.body).toMatchObject({ campaignArn: CAMPAIGN, userId: 'u1', inputList: ['x', 'y'] });
    expect(await json(get)).toEqual({
      personalizedRanking: [
        { itemId: 'y', score: 0.9 },
        { itemId: 'x', score: 0.8 },
      ],
      recommendationId: 'RID-rank',
    });
    const post = await a.request('/rerank-items/shop/ranking/u1', { method: 'POST', body: '["m","n","o"]' });
    expect(post.status).toBe(200);
    expect(calls[1]!.body).toMatchObject({ inputList: ['m', 'n', 'o'] });
  });

  it('maps throttling to 429 and service errors to 502', async () => {
    fake.mode = 'throttle';
    const throttled = await (await app()).request('/recommend-items/shop/campaign/u1');
    expect(throttled.status).toBe(429);
    expect(await json(throttled)).toMatchObject({ type: 'OriginError', code: 'OriginThrottled' });
    fake.mode = 'missing';
    const missing = await (await app()).request('/recommend-items/shop/campaign/u1');
    expect(missing.status).toBe(502);
    expect(await json(missing)).toMatchObject({ code: 'OriginFailed', requestId: expect.any(String) });
  });
});
