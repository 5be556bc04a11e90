import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackgroundTasks } from '../../data-plane/events/background.ts';
import { createEventsService } from '../../data-plane/events/events-service.ts';
import { assignByHash } from '../../data-plane/experiments/hash-bucketing.ts';
import { experimentsRoutes } from '../../experiments/routes.ts';
import { createAwsClients } from '../../shared/aws-clients.ts';
import { silentLogger } from '../../shared/logger.ts';
import { appFor, json, startTinyRecommender, type TinyRecommender, UUID_V7 } from '../data-plane/helpers.ts';

const NOW = Date.parse('2026-11-02T10:00:00.000Z');

describe('from served recommendations and posted events to the readout, through the app', () => {
  let recommender: TinyRecommender;
  let dir: string;
  beforeAll(async () => {
    recommender = await startTinyRecommender();
    dir = await mkdtemp(join(tmpdir(), 'p13n-e2e-experiments-'));
  });
  afterAll(async () => {
    await recommender.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('attributes purchases by recommendationId and by recommended item to the variation that served them', async () => {
    const file = join(dir, 'events.jsonl');
    let now = NOW;
    const clock = () => now;
    const events = createEventsService({
      logger: silentLogger,
      clock,
      defaultTimeZone: 'UTC',
      clients: createAwsClients({ region: 'us-east-1' }),
      background: createBackgroundTasks({ logger: silentLogger }),
    });
    const byGet = { type: 'http', url: `${recommender.url}/users/{userId}/recs?n={numResults}`, method: 'GET' };
    const config = {
      version: 'e2e',
      namespaces: {
        shop: {
          recommenders: {
            'recommend-items': {
              'for-you': {
                experiments: {
                  'home-ab': {
                    method: 'hash',
                    weights: { a: 50, b: 50 },
                    metrics: { purchase: { eventType: 'Purchase', windowHours: 1, value: 'eventValue' } },
                  },
                },
                variations: { a: byGet, b: byGet },
              },
              origin: { variations: { only: { type: 'http', url: `${recommender.url}/recs` } } },
            },
          },
          eventTargets: [{ type: 'file', path: file }],
        },
      },
    };
    const app = await appFor(config, {
      events,
      clock,
      responseCache: false,
      extraRoutes: (routes) => routes.route('/', experimentsRoutes({ clock })),
    });
    const post = (body: object) =>
      app.request('/events/shop', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });

    const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    const expected = { a: { exposed: 0, converted: 0 }, b: { exposed: 0, converted: 0 } };
    for (const [i, userId] of users.entries()) {
      const res = await app.request(`/recommend-items/shop/for-you/${userId}?numResults=3`);
      const body = await json(res);
      expect(body.recommendationId).toMatch(UUID_V7);
      expect(res.headers.get('x-personalization-recommendation-id')).toBe(body.recommendationId);
      const variation = assignByHash('home-ab', { weights: { a: 50, b: 50 } }, ['a', 'b'], userId) as 'a' | 'b';
      expect(body.matchedExperiment.variation).toBe(variation);
      expected[variation].exposed += 1;
      now += 60_000;
      if (i % 3 === 0) {
        // By recommendationId, without naming the user.
        expect(
          (
            await post({
              eventList: [{ eventType: 'Purchase', recommendationId: body.recommendationId, eventValue: 10 }],
            })
          ).status,
        ).toBe(200);
        expected[variation].converted += 1;
      } else if (i % 3 === 1) {
        // By an item the response listed, for the same user.
        expect(
          (await post({ userId, eventList: [{ eventType: 'Purchase', itemId: `${userId}-pick-2`, eventValue: 5 }] }))
            .status,
        ).toBe(200);
        expected[variation].converted += 1;
      } else {
        // An item nobody recommended: counted apart.
        expect(
          (await post({ userId, eventList: [{ eventType: 'Purchase', itemId: 'elsewhere', eventValue: 1 }] })).status,
        ).toBe(200);
      }
    }
    await events.background.idle();

    // A Personalize-like origin's own recommendationId is kept.
    const fromOrigin = await app.request('/recommend-items/shop/origin/user-0');
    expect((await json(fromOrigin)).recommendationId).toBe('rid-1');
    expect(fromOrigin.headers.get('x-personalization-recommendation-id')).toBe('rid-1');

    const res = await app.request('/experiments/shop');
    expect(res.status).toBe(200);
    const readout = await json(res);
    const home = readout.experiments[0];
    expect(home.variations.map((v: any) => [v.variation, v.exposedUsers, v.metrics.purchase.convertedUsers])).toEqual([
      ['a', expected.a.exposed, expected.a.converted],
      ['b', expected.b.exposed, expected.b.converted],
    ]);
    expect(home.unattributed.purchase).toEqual({ conversions: 4, valueSum: 4 });
    expect(readout.malformedCount).toBe(0);
  });
});
