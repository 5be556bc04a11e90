import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERACTIONS_HEADER, ITEM_COUNT, USER_COUNT, writeSampleData } from '../../samples/local/generate.ts';
import { resolveConfig } from '../../schema/resolve-config.ts';
import { validateConfig } from '../../schema/validate-config.ts';

const dir = new URL('../../samples/local/', import.meta.url).pathname;

describe('samples/local sample data', () => {
  let out: string;
  let items: Array<Record<string, unknown>>;
  let rows: string[][];

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'p13n-samples-'));
    items = (await readFile(join(dir, 'items.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const lines = (await readFile(join(dir, 'interactions.csv'), 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe(INTERACTIONS_HEADER);
    rows = lines.slice(1).map((line) => line.split(','));
  });

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('is exactly what the generator writes (run `npx tsx samples/local/generate.ts` when this fails)', async () => {
    const written = await writeSampleData(out);
    for (const [generated, committed] of [
      [written.items, join(dir, 'items.jsonl')],
      [written.interactions, join(dir, 'interactions.csv')],
    ] as const) {
      const same = (await readFile(generated)).equals(await readFile(committed));
      expect(same, `${committed} is stale`).toBe(true);
    }
  });

  it('keeps each committed file under 2.5 MB', async () => {
    for (const name of ['items.jsonl', 'interactions.csv']) {
      expect((await stat(join(dir, name))).size).toBeLessThan(2_500_000);
    }
  });

  it('has a catalogue of 2,000 items with unique IDs and the fields a UI shows', () => {
    expect(items).toHaveLength(ITEM_COUNT);
    expect(new Set(items.map((it) => it.id)).size).toBe(ITEM_COUNT);
    for (const item of items) {
      expect(item).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        name: expect.any(String),
        category: expect.any(String),
        style: expect.any(String),
        description: expect.stringContaining(item.name as string),
        price: expect.any(Number),
        image_url: expect.stringMatching(/^https:\/\/images\.example\.com\/retail\//),
        current_stock: expect.any(Number),
        where_visible: expect.stringMatching(/^(Online|Offline|All)$/),
      });
      expect(item.price as number).toBeGreaterThan(0);
      if ('gender_affinity' in item) expect(['M', 'F']).toContain(item.gender_affinity);
    }
    expect(new Set(items.map((it) => it.category)).size).toBe(10);
  });

  it('has tens of thousands of interactions by 500 users, all for catalogue items, over 90 days', () => {
    expect(rows.length).toBeGreaterThan(20_000);
    const ids = new Set(items.map((it) => it.id));
    const unknown = rows.filter((r) => !ids.has(r[1] as string));
    expect(unknown).toEqual([]);
    expect(rows.every((r) => r.length === 4 && /^user-\d+$/.test(r[0] as string))).toBe(true);
    expect(new Set(rows.map((r) => r[0])).size).toBe(USER_COUNT);
    const times = rows.map((r) => Number(r[2]));
    expect(times.every(Number.isInteger)).toBe(true);
    const spanDays = (Math.max(...times) - Math.min(...times)) / 86_400;
    expect(spanDays).toBeGreaterThan(85);
    expect(spanDays).toBeLessThanOrEqual(90);
  });

  it('follows a View → AddToCart → Purchase funnel', () => {
    const count = (type: string) => rows.filter((r) => r[3] === type).length;
    expect(count('View') + count('AddToCart') + count('Purchase')).toBe(rows.length);
    expect(count('AddToCart')).toBeLessThan(count('View') / 2);
    expect(count('Purchase')).toBeLessThan(count('AddToCart'));
    expect(count('Purchase')).toBeGreaterThan(0);
  });

  it('makes some items clearly more popular than the typical item', () => {
    const perItem = new Map<string, number>();
    for (const r of rows) perItem.set(r[1] as string, (perItem.get(r[1] as string) ?? 0) + 1);
    const counts = [...perItem.values()].sort((a, b) => b - a);
    const median = counts[Math.floor(counts.length / 2)] as number;
    expect(counts[0]).toBeGreaterThan(8 * median);
  });

  it('gives shoppers category affinities: most of a typical user’s interactions fall in 3 categories', () => {
    const category = new Map(items.map((it) => [it.id as string, it.category as string]));
    const byUser = new Map<string, Map<string, number>>();
    for (const [user, item] of rows) {
      const counts = byUser.get(user as string) ?? new Map<string, number>();
      const c = category.get(item as string) as string;
      counts.set(c, (counts.get(c) ?? 0) + 1);
      byUser.set(user as string, counts);
    }
    const topThreeShares = [...byUser.values()].map((counts) => {
      const sorted = [...counts.values()].sort((a, b) => b - a);
      const total = sorted.reduce((a, b) => a + b, 0);
      return sorted.slice(0, 3).reduce((a, b) => a + b, 0) / total;
    });
    const typical = topThreeShares.sort((a, b) => a - b)[Math.floor(topThreeShares.length / 2)] as number;
    expect(typical).toBeGreaterThan(0.8);
  });

  it('ships config.json: valid, and its relative paths point at the committed files', async () => {
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    const result = validateConfig(config);
    expect(result.ok ? [] : result.errors).toEqual([]);
    const resolved = resolveConfig(config, { baseDir: dir });
    const retail = resolved.namespaces.get('retail');
    expect(retail?.inferenceItemMetadata).toEqual({ type: 'localdb', sourceFile: join(dir, 'items.jsonl') });
    const forYou = retail?.recommenders['recommend-items'].get('for-you');
    expect([...(forYou?.variations.values() ?? [])].map((v) => v.type === 'builtin' && v.algorithm)).toEqual([
      'cooccurrence',
      'popularity',
    ]);
    expect(forYou?.experiments.get('for-you-ab')).toMatchObject({
      method: 'hash',
      weights: { cooccurrence: 50, popularity: 50 },
    });
    for (const byKey of Object.values(retail?.recommenders ?? {})) {
      for (const rec of byKey.values()) {
        for (const v of rec.variations.values()) {
          expect(v.type === 'builtin' && v.interactionsFile).toBe(join(dir, 'interactions.csv'));
        }
      }
    }
    expect(retail?.eventTargets).toEqual([
      { type: 'file', path: join(dir, '../../data/events.jsonl') },
      { type: 'builtin' },
    ]);
  });
});
