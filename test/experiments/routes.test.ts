import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { experimentsRoutes } from '../../experiments/routes.ts';
import { appFor, json } from '../data-plane/helpers.ts';

const NOW = Date.parse('2026-11-02T10:00:00.000Z');

const exposure = (userId: string, variation: string) =>
  `${JSON.stringify({
    kind: 'exposure',
    namespace: 'shop',
    action: 'recommend-items',
    recommender: 'for-you',
    feature: 'home-ab',
    variation,
    method: 'hash',
    userId,
    recommendationId: `r-${userId}`,
    itemIds: ['i1'],
    timestamp: '2026-11-02T09:00:00.000Z',
  })}\n`;

describe('GET /experiments/{namespace} in p13n serve', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'p13n-experiments-routes-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const appOver = async (file: string, clock: () => number, maxEventsBytes?: number) => {
    const only = { type: 'http', url: 'http://127.0.0.1:9/recs' };
    const config = {
      version: 'routes',
      namespaces: {
        shop: {
          recommenders: {
            'recommend-items': {
              'for-you': {
                experiments: { 'home-ab': { method: 'hash', weights: { a: 50, b: 50 } } },
                variations: { a: only, b: only },
              },
            },
          },
          eventTargets: [{ type: 'file', path: file }],
        },
      },
    };
    return appFor(config, {
      clock,
      extraRoutes: (routes) => routes.route('/', experimentsRoutes({ clock, maxEventsBytes })),
    });
  };

  it('refuses event files larger than the cap with a 413 naming the cap, never parsing them', async () => {
    const file = join(dir, 'large.jsonl');
    await writeFile(file, exposure('u1', 'a').repeat(20));
    const app = await appOver(file, () => NOW, 1000);
    const res = await app.request('/experiments/shop');
    expect(res.status).toBe(413);
    const body = await json(res);
    expect(body.code).toBe('EventsFilesTooLarge');
    expect(body.message).toContain('1000');
    expect(body.message).not.toContain(dir);
  });

  it('answers an unchanged events file from the readout already computed, and reads it again once it grows', async () => {
    const file = join(dir, 'growing.jsonl');
    await writeFile(file, exposure('u1', 'a'));
    let now = NOW;
    const app = await appOver(file, () => now);
    const first = await json(await app.request('/experiments/shop'));
    expect(first.experiments[0].variations.map((v: any) => v.exposedUsers)).toEqual([1, 0]);

    now += 60_000;
    const again = await json(await app.request('/experiments/shop'));
    expect(again.generatedAt).toBe(first.generatedAt);

    await appendFile(file, exposure('u2', 'b'));
    now += 60_000;
    const grown = await json(await app.request('/experiments/shop'));
    expect(grown.generatedAt).toBe(new Date(now).toISOString());
    expect(grown.experiments[0].variations.map((v: any) => v.exposedUsers)).toEqual([1, 1]);
  });
});
