/**
 * The compatible routes inside the app (`app.request`): serve's own authentication applied in the
 * service's error shape when no SigV4 keys are set, 405s, and the refusals that need no running server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../data-plane/auth/api-keys.ts';
import { authMiddleware } from '../../../data-plane/auth/middleware.ts';
import { silentLogger } from '../../../shared/logger.ts';
import { appFor, httpConfig, json, startTinyRecommender, type TinyRecommender } from '../helpers.ts';

const ARN = 'arn:aws:personalize:us-east-1:123456789012:campaign/for-you';
let tiny: TinyRecommender;
beforeAll(async () => {
  tiny = await startTinyRecommender();
});
afterAll(() => tiny.close());

function config() {
  const c = httpConfig(tiny.url) as any;
  c.namespaces.retail.recommenders['recommend-items']['for-you'].arnAliases = [ARN];
  return c;
}

const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('the compatible routes in the app', () => {
  it("answer with serve's API key authentication, refusals in the service's shape", async () => {
    const app = await appFor(config(), { auth: authMiddleware({ apiKeyHashes: [hashApiKey('k1')] }, silentLogger) });
    const refused = await app.request('/recommendations', post({ campaignArn: ARN, userId: 'u1' }));
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
    expect(await json(refused)).toEqual({ message: expect.stringContaining('X-Api-Key') });
    const ok = await app.request(
      '/recommendations',
      post({ campaignArn: ARN, userId: 'u1', numResults: 2 }, { 'x-api-key': 'k1' }),
    );
    expect(await json(ok)).toEqual({
      itemList: [
        { itemId: 'item-1', score: 1 },
        { itemId: 'item-2', score: 0.5 },
      ],
      recommendationId: 'rid-1',
    });
    // The project's own routes keep their own error shape.
    const own = await app.request('/recommend-items/retail/for-you/u1');
    expect(await json(own)).toMatchObject({ type: 'ClientError', code: 'Unauthorized' });
  });

  it('answer another method with 405, and unknown fields, promotions and missing ARNs with InvalidInputException', async () => {
    const app = await appFor(config());
    const get = await app.request('/recommendations');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const cases: Array<[unknown, RegExp]> = [
      [{ campaignArn: ARN, userId: 'u1', colour: 'red' }, /colour/],
      [{ campaignArn: ARN, userId: 'u1', promotions: [{ name: 'p' }] }, /promotions/],
      [{ userId: 'u1' }, /campaignArn and recommenderArn/],
      [{ campaignArn: ARN }, /userId, itemId/],
    ];
    for (const [body, message] of cases) {
      const res = await app.request('/recommendations', post(body));
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('InvalidInputException');
      expect((await json(res)).message).toMatch(message);
    }
    const notJson = await app.request('/items', { method: 'POST', body: '{' });
    expect(notJson.headers.get('x-amzn-errortype')).toBe('InvalidInputException');
  });

  it('refuse PutItems for a namespace whose items live nowhere writable', async () => {
    const app = await appFor(config());
    const res = await app.request(
      '/items',
      post({
        datasetArn: 'arn:aws:personalize:us-east-1:123456789012:dataset/retail/ITEMS',
        items: [{ itemId: 'a', properties: '{"name":"A"}' }],
      }),
    );
    expect(res.status).toBe(400);
    expect((await json(res)).message).toMatch(/no item-metadata store that takes writes/);
  });
});
