/**
 * The embedded default end to end: `p13n serve` with the sample configuration (what `npm start` runs;
 * copied by `embeddedDefaultConfig` so events land in a temporary folder) builds the LMDB
 * catalogue, trains the embedded recommenders and serves decorated recommendations, related items, both
 * rerank forms, the live OpenAPI document and Swagger UI (driven in headless Chromium) — no cloud account.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/browser.ts';
import { embeddedDefaultConfig, listeningUrl, type Running, startServe } from '../helpers/serve-process.ts';

const items = readFileSync(new URL('../../samples/local/items.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { id: string; name: string; category: string });
const byId = new Map(items.map((i) => [i.id, i]));

let dataDir: string;
let serve: Running;
let base: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'p13n-embedded-'));
  serve = startServe(['--config', embeddedDefaultConfig(dataDir), '--port', '0'], { P13N_DATA_DIR: dataDir });
  base = await listeningUrl(serve);
}, 90_000);

afterAll(async () => {
  serve?.child.kill('SIGTERM');
  await serve?.exited;
  rmSync(dataDir, { recursive: true, force: true });
});

type ItemList = { itemList: Array<{ itemId: string; score: number; metadata: { name: string } }> };

describe('p13n serve with the embedded default', () => {
  it('builds the catalogue store under the data folder and says when it is ready', () => {
    expect(serve.stdout()).toMatch(/item metadata and embedded recommenders ready in \d+ ms/);
    expect(serve.stderr()).toMatch(/localdb built from sourceFile namespace="retail".* imported=2000/);
  });

  it('recommends 25 items for a sample user, each decorated from the catalogue', async () => {
    const res = await fetch(`${base}/recommend-items/retail/for-you/user-1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-personalization-config-version')).toBe('1');
    const body = (await res.json()) as ItemList;
    expect(body.itemList).toHaveLength(25);
    for (const item of body.itemList) {
      expect(item.metadata.name).toBe(byId.get(item.itemId)?.name);
    }
  });

  it('answers related-items for a catalogue item, never with the item itself', async () => {
    const item = items[0]!;
    const res = await fetch(`${base}/related-items/retail/similar/${item.id}?numResults=10`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ItemList;
    expect(body.itemList).toHaveLength(10);
    expect(body.itemList.map((i) => i.itemId)).not.toContain(item.id);
    expect(body.itemList.every((i) => byId.has(i.itemId) && i.metadata)).toBe(true);
  });

  it('reranks with GET and POST to the same order', async () => {
    const ids = items.slice(10, 20).map((i) => i.id);
    const get = await fetch(`${base}/rerank-items/retail/ranking/user-7/${ids.join(',')}`);
    const post = await fetch(`${base}/rerank-items/retail/ranking/user-7`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ids),
    });
    expect(get.status).toBe(200);
    expect(post.status).toBe(200);
    const getOrder = ((await get.json()) as { personalizedRanking: ItemList['itemList'] }).personalizedRanking;
    const postOrder = ((await post.json()) as { personalizedRanking: ItemList['itemList'] }).personalizedRanking;
    expect(getOrder.map((i) => i.itemId)).toEqual(postOrder.map((i) => i.itemId));
    expect([...getOrder.map((i) => i.itemId)].sort()).toEqual([...ids].sort());
    expect(post.headers.get('cache-control')).toBe('no-store');
  });

  it('takes events into the JSON-lines file and the embedded recommender', async () => {
    const res = await fetch(`${base}/events/retail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'user-2', eventList: [{ eventType: 'View', itemId: items[3]!.id }] }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      accepted: { events: 1, conversions: 0 },
      targets: [
        { target: 'file:events.jsonl', ok: true },
        { target: 'builtin', ok: true },
      ],
    });
    const lines = readFileSync(join(dataDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toContainEqual(expect.objectContaining({ kind: 'event', userId: 'user-2', itemId: items[3]!.id }));
  });

  it('serves Swagger UI from local assets', async () => {
    const res = await fetch(`${base}/docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('/docs/swagger-ui-bundle.js');
  });
});

describe('API docs', () => {
  it('serves the live OpenAPI document with this server as its server URL', async () => {
    const res = await fetch(`${base}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { servers: Array<{ url: string }>; paths: Record<string, unknown> };
    expect(doc.servers).toEqual([{ url: '.' }]);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/recommend-items/retail/for-you/{userId}',
        '/related-items/retail/similar/{itemId}',
        '/rerank-items/retail/ranking/{userId}/{itemIds}',
        '/rerank-items/retail/ranking/{userId}',
        '/events/retail',
      ]),
    );
  });

  it('lists every configured endpoint in Swagger UI and runs "Try it out" against this server', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/docs`);
      await page.waitForSelector('.opblock-summary-path');
      const paths = (await page.locator('.opblock-summary-path').allTextContents()).map((p) =>
        p.replace(/\u200b/g, ''),
      );
      expect(paths).toEqual(
        expect.arrayContaining([
          '/recommend-items/retail/for-you/{userId}',
          '/related-items/retail/similar/{itemId}',
          '/rerank-items/retail/ranking/{userId}/{itemIds}',
          '/rerank-items/retail/ranking/{userId}',
          '/events/retail',
        ]),
      );

      const operation = page.locator('.opblock-get', { hasText: '/recommend-items/retail/for-you/{userId}' });
      await operation.locator('.opblock-summary').click();
      await operation.locator('button.try-out__btn').click();
      await operation.locator('tr[data-param-name="userId"] input').fill('user-3');
      await operation.locator('button.execute').click();
      const status = operation.locator('.live-responses-table tbody .response-col_status').first();
      await status.waitFor();
      expect((await status.textContent())?.trim()).toBe('200');
      expect(await operation.locator('.live-responses-table .highlight-code').first().textContent()).toContain(
        '"itemList"',
      );
    } finally {
      await browser.close();
    }
  });
});
