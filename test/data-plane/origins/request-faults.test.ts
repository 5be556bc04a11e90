/**
 * Issue 13 item 1: a failure caused by the request (a bad filter value, an unknown user) reaches the
 * client as a 400 with a safe message and never counts against the origin's circuit breaker, so a few
 * bad requests cannot close an origin for everyone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../shared/aws-clients.ts';
import { type FakePersonalizeRuntime, startFakePersonalizeRuntime } from '../../helpers/fake-personalize-runtime.ts';
import { appFor, httpConfig, json, startTinyRecommender, type TinyRecommender } from '../helpers.ts';

const CAMPAIGN = 'arn:aws:personalize:us-east-1:123456789012:campaign/user-personalization';
const breaker = { failureThreshold: 5, cooldownMs: 30_000 };

let personalize: FakePersonalizeRuntime;
let recommender: TinyRecommender;
beforeAll(async () => {
  personalize = await startFakePersonalizeRuntime();
  recommender = await startTinyRecommender();
});
afterAll(async () => {
  await personalize.close();
  await recommender.close();
});

describe('request faults reported by an origin', () => {
  it('answers a Personalize InvalidInputException with a 400 and keeps the circuit closed', async () => {
    const app = await appFor(
      {
        version: '1',
        namespaces: {
          shop: {
            recommenders: {
              'recommend-items': { p: { variations: { up: { type: 'personalize-campaign', arn: CAMPAIGN } } } },
            },
          },
        },
      },
      {
        clients: createAwsClients({
          region: 'us-east-1',
          maxAttempts: 1,
          endpoints: { personalizeRuntime: personalize.endpoint },
        }),
        circuitBreaker: breaker,
        responseCache: false,
      },
    );
    personalize.mode = 'invalid-input';
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await app.request(`/recommend-items/shop/p/u${i}`);
      statuses.push(res.status);
      const body = await json(res);
      expect(body).toMatchObject({ type: 'ClientError', code: 'OriginRejectedRequest' });
      expect(JSON.stringify(body)).not.toContain('123456789012');
    }
    expect(statuses).toEqual(Array(8).fill(400));
    personalize.mode = 'ok';
    expect((await app.request('/recommend-items/shop/p/u-good')).status).toBe(200);
  });

  it("answers an HTTP recommender's 404 for an unknown user with a 400 and keeps the circuit closed", async () => {
    const app = await appFor(httpConfig(recommender.url), { circuitBreaker: breaker, responseCache: false });
    for (let i = 0; i < 8; i++) {
      const res = await app.request(`/recommend-items/retail/by-get/unknown-${i}`);
      expect(res.status).toBe(400);
      expect(await json(res)).toMatchObject({ code: 'OriginRejectedRequest' });
    }
    expect((await app.request('/recommend-items/retail/by-get/u1')).status).toBe(200);
  });

  it('still counts origin faults (5xx) and throttling against the circuit', async () => {
    const app = await appFor(httpConfig(recommender.url), { circuitBreaker: breaker, responseCache: false });
    for (let i = 0; i < 5; i++) expect((await app.request('/recommend-items/retail/failing/u1')).status).toBe(502);
    expect((await app.request('/recommend-items/retail/failing/u1')).status).toBe(503);
    for (let i = 0; i < 5; i++) expect((await app.request('/recommend-items/retail/throttled/u1')).status).toBe(429);
    expect((await app.request('/recommend-items/retail/throttled/u1')).status).toBe(503);
  });
});
