/**
 * The `builtin` event target as wired for `p13n serve` and Lambda: events posted to a namespace teach its
 * embedded recommender, so the next recommendations for that user reflect them.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticConfigProvider } from '../../../data-plane/config/static-provider.ts';
import { readDataPlaneEnv } from '../../../data-plane/env.ts';
import { type DataPlane, wireDataPlane } from '../../../data-plane/wiring.ts';
import { silentLogger } from '../../../shared/logger.ts';

let dir: string;
let dataPlane: DataPlane;

// Two clusters: users who view a-items and users who view b-items; b1 is the most popular item overall.
const interactions = [
  'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE',
  ...['u1', 'u2', 'u3'].flatMap((u) => [`${u},a1,1700000000,View`, `${u},a2,1700000001,View`]),
  ...['u4', 'u5', 'u6', 'u7'].flatMap((u) => [`${u},b1,1700000000,View`, `${u},b2,1700000001,View`]),
].join('\n');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'p13n-builtin-learning-'));
  await writeFile(join(dir, 'interactions.csv'), `${interactions}\n`);
  const provider = staticConfigProvider(
    {
      version: 'learn-1',
      namespaces: {
        shop: {
          recommenders: {
            'recommend-items': {
              'for-you': {
                variations: {
                  cooc: { type: 'builtin', algorithm: 'cooccurrence', interactionsFile: 'interactions.csv' },
                },
              },
            },
          },
          eventTargets: [{ type: 'file', path: 'events.jsonl' }, { type: 'builtin' }],
        },
      },
    },
    { baseDir: dir },
  );
  dataPlane = wireDataPlane({ env: readDataPlaneEnv({ P13N_DATA_DIR: dir }), config: provider, logger: silentLogger });
  await dataPlane.start();
});

afterAll(async () => {
  await dataPlane?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('builtin event target (wired data plane)', () => {
  it('feeds posted events to the embedded recommender', async () => {
    const before = (await (await dataPlane.app.request('/recommend-items/shop/for-you/newbie')).json()) as {
      itemList: Array<{ itemId: string }>;
    };
    expect(before.itemList[0]!.itemId).toBe('b1');

    const posted = await dataPlane.app.request('/events/shop', {
      method: 'POST',
      body: JSON.stringify({ userId: 'newbie', eventList: [{ eventType: 'View', itemId: 'a1' }] }),
    });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual({
      accepted: { events: 1, conversions: 0 },
      targets: [
        { target: 'file:events.jsonl', ok: true },
        { target: 'builtin', ok: true },
      ],
    });

    const after = (await (await dataPlane.app.request('/recommend-items/shop/for-you/newbie')).json()) as {
      itemList: Array<{ itemId: string }>;
    };
    expect(after.itemList[0]!.itemId).toBe('a2');
    expect(after.itemList.map((i) => i.itemId)).not.toContain('a1');
    expect(JSON.parse(await readFile(join(dir, 'events.jsonl'), 'utf8'))).toMatchObject({
      kind: 'event',
      userId: 'newbie',
      itemId: 'a1',
    });
  });
});
