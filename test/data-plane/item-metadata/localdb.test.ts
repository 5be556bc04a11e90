import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { importItems } from '../../../contracts/item-metadata/import-items.ts';
import { readManifest } from '../../../contracts/item-metadata/localdb-layout.ts';
import { createLocaldbWriter } from '../../../contracts/item-metadata/localdb-writer.ts';
import { createFileSyncedLocaldb } from '../../../data-plane/item-metadata/file-sync.ts';
import { LocaldbStore } from '../../../data-plane/item-metadata/localdb-store.ts';
import { createItemMetadataStores } from '../../../data-plane/item-metadata/stores.ts';
import { validateConfig } from '../../../schema/validate-config.ts';

const root = mkdtempSync(join(tmpdir(), 'p13n-localdb-'));
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers) await close();
});

function recorder() {
  const entries: Array<{ level: string; message: string }> = [];
  const log = (level: string) => (message: string) => void entries.push({ level, message });
  return { entries, logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } };
}

async function build(path: string, generation: string, n: number) {
  const writer = createLocaldbWriter(path);
  writer.add(Array.from({ length: n }, (_, i) => ({ line: i + 1, id: `i${i}`, metadata: { generation, n: i } })));
  return writer.finish();
}

const jsonl = (items: unknown[]) => Readable.from([items.map((i) => JSON.stringify(i)).join('\n')]);

describe('LocaldbStore', () => {
  it('reads what the writer built, with duplicates and unknown IDs', async () => {
    const path = join(root, 'one.mdb');
    expect(await build(path, 'g1', 30_000)).toBe(30_000);
    const store = new LocaldbStore(path);
    closers.push(() => store.close());
    const found = await store.getMany(['i0', 'i29999', 'i0', 'missing']);
    expect(Object.fromEntries(found)).toEqual({
      i0: { generation: 'g1', n: 0 },
      i29999: { generation: 'g1', n: 29999 },
    });
  });

  it('upserts into a writable store (PutItems) and refuses writes to a read-only one', async () => {
    const path = join(root, 'writable.mdb');
    await build(path, 'g1', 3);
    const store = new LocaldbStore(path, { writable: true });
    closers.push(() => store.close());
    await store.putMany([
      { id: 'i1', metadata: { name: 'Renamed' } },
      { id: 'new', metadata: { name: 'New' } },
    ]);
    expect(Object.fromEntries(await store.getMany(['i0', 'i1', 'new']))).toEqual({
      i0: { generation: 'g1', n: 0 },
      i1: { name: 'Renamed' },
      new: { name: 'New' },
    });
    const readOnly = new LocaldbStore();
    await expect(readOnly.putMany([{ id: 'x', metadata: {} }])).rejects.toThrow(/no writable file/);
  });

  it('swaps files while reads keep running: every read sees one whole generation, none fails', async () => {
    const a = join(root, 'swap-a.mdb');
    const b = join(root, 'swap-b.mdb');
    await build(a, 'A', 1_000);
    await build(b, 'B', 1_000);
    const store = new LocaldbStore(a);
    closers.push(() => store.close());
    const ids = Array.from({ length: 25 }, (_, i) => `i${i * 40}`);
    const seen = new Set<string>();
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        const found = await store.getMany(ids);
        expect(found.size).toBe(25);
        const generations = new Set([...found.values()].map((m) => m.generation as string));
        expect(generations.size).toBe(1);
        for (const g of generations) seen.add(g);
        await new Promise((r) => setImmediate(r));
      }
    })();
    await new Promise((r) => setTimeout(r, 5));
    expect(await store.swap(b)).toBe(a);
    await new Promise((r) => setTimeout(r, 5));
    expect(await store.swap(a)).toBe(b);
    await new Promise((r) => setTimeout(r, 5));
    stop = true;
    await reader;
    expect(seen).toEqual(new Set(['A', 'B']));
  });

  it('answers from memory what it read before, and what a write or a swap changed from the file', async () => {
    const a = join(root, 'cached-a.mdb');
    const b = join(root, 'cached-b.mdb');
    await build(a, 'A', 3);
    await build(b, 'B', 3);
    const store = new LocaldbStore(a, { writable: true });
    closers.push(() => store.close());
    expect(Object.fromEntries(await store.getMany(['i0', 'i1', 'later']))).toEqual({
      i0: { generation: 'A', n: 0 },
      i1: { generation: 'A', n: 1 },
    });
    await store.putMany([
      { id: 'i1', metadata: { name: 'Renamed' } },
      { id: 'later', metadata: { name: 'Added' } },
    ]);
    expect(Object.fromEntries(await store.getMany(['i0', 'i1', 'later']))).toEqual({
      i0: { generation: 'A', n: 0 },
      i1: { name: 'Renamed' },
      later: { name: 'Added' },
    });
    await store.swap(b);
    expect(Object.fromEntries(await store.getMany(['i0', 'i1', 'later']))).toEqual({
      i0: { generation: 'B', n: 0 },
      i1: { generation: 'B', n: 1 },
    });
  });

  it('reads right past its bound on decoded items, and with none kept at all', async () => {
    const path = join(root, 'bounded.mdb');
    await build(path, 'g1', 50);
    const ids = Array.from({ length: 50 }, (_, i) => `i${(i * 7) % 50}`);
    const expected = Object.fromEntries(ids.map((id) => [id, { generation: 'g1', n: Number(id.slice(1)) }]));
    for (const cachedItems of [0, 1, 10]) {
      const store = new LocaldbStore(path, { cachedItems });
      closers.push(() => store.close());
      for (let round = 0; round < 3; round++) {
        expect(Object.fromEntries(await store.getMany([...ids, 'missing', 'i3']))).toEqual(expected);
      }
    }
  });

  it('answers nothing, without failing, before it has a file', async () => {
    expect((await new LocaldbStore().getMany(['a'])).size).toBe(0);
  });
});

describe('local localdb import and reload', () => {
  it('publishes a fresh file atomically, deletes the old build, and a running store picks the new one up', async () => {
    const dataDir = join(root, 'data-reload');
    const first = await importItems({
      namespace: 'shop',
      config: { type: 'localdb' },
      source: jsonl([
        { id: 'a', v: 1 },
        { id: 'b', v: 1 },
      ]),
      clients: {},
      dataDir,
    });
    expect(first.imported).toBe(2);
    const { logger } = recorder();
    const store = createFileSyncedLocaldb({ dataDir, namespace: 'shop', logger });
    closers.push(() => store.close());
    expect(Object.fromEntries(await store.getMany(['a', 'b']))).toEqual({ a: { v: 1 }, b: { v: 1 } });

    const second = await importItems({
      namespace: 'shop',
      config: { type: 'localdb' },
      source: jsonl([{ id: 'a', v: 2 }]),
      clients: {},
      dataDir,
    });
    expect(existsSync(first.location)).toBe(false);
    expect(readdirSync(join(dataDir, 'localdb', 'shop')).filter((f) => f.endsWith('.mdb'))).toEqual([
      second.location.split('/').pop(),
    ]);
    // Still serving the old file (open mapping) until the store reloads.
    expect((await store.getMany(['b'])).size).toBe(1);
    expect(await store.reload()).toBe(true);
    expect(Object.fromEntries(await store.getMany(['a', 'b']))).toEqual({ a: { v: 2 } });
    expect(await store.reload()).toBe(false);
  });

  it('leaves the live store alone when the new file has no valid line', async () => {
    const dataDir = join(root, 'data-empty');
    await importItems({
      namespace: 'shop',
      config: { type: 'localdb' },
      source: jsonl([{ id: 'a' }]),
      clients: {},
      dataDir,
    });
    const before = await readManifest(join(dataDir, 'localdb', 'shop'));
    const report = await importItems({
      namespace: 'shop',
      config: { type: 'localdb' },
      source: jsonl([{ nope: 1 }]),
      clients: {},
      dataDir,
    });
    expect(report).toMatchObject({ imported: 0, skipped: [{ line: 1, reason: 'missing "id"' }] });
    expect(await readManifest(join(dataDir, 'localdb', 'shop'))).toEqual(before);
  });

  it('logs a missing store once, however often it is asked', async () => {
    const { entries, logger } = recorder();
    const store = createFileSyncedLocaldb({ dataDir: join(root, 'nothing'), namespace: 'shop', logger });
    closers.push(() => store.close());
    for (let i = 0; i < 5; i++) {
      await store.reload();
      expect((await store.getMany(['a'])).size).toBe(0);
    }
    expect(entries.filter((e) => e.level === 'warn')).toHaveLength(1);
  });
});

describe('createItemMetadataStores (local mode)', () => {
  const dir = join(root, 'catalogue');
  const dataDir = join(root, 'data-stores');
  const configFor = () => {
    const result = validateConfig(
      {
        namespaces: {
          shop: {
            inferenceItemMetadata: { type: 'localdb', sourceFile: 'items.jsonl' },
            recommenders: {
              'recommend-items': { rfy: { variations: { v: { type: 'http', url: 'http://localhost:9/recs' } } } },
            },
          },
        },
      },
      { baseDir: dir },
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.resolved;
  };

  it('imports the sourceFile when the store is missing or older than it, and not otherwise', async () => {
    mkdirSync(dir, { recursive: true });
    const source = join(dir, 'items.jsonl');
    writeFileSync(source, '{"id":"a","name":"first"}\n{"bad":1}\n');
    const { entries, logger } = recorder();
    const stores = createItemMetadataStores({ dataDir, clients: {}, logger });
    closers.push(() => stores.close());
    const resolved = configFor();
    const config = resolved.namespaces.get('shop')?.inferenceItemMetadata;
    if (!config) throw new Error('no metadata config');

    await stores.prepare(resolved, { first: true, waitMs: 0 });
    const store = stores('shop', config);
    expect(store).toBe(stores('shop', { type: 'localdb', syncInterval: 60 }));
    expect(Object.fromEntries((await store?.getMany(['a'])) ?? [])).toEqual({ a: { name: 'first' } });
    expect(entries).toContainEqual({ level: 'warn', message: 'skipped catalogue line' });

    const built = await readManifest(join(dataDir, 'localdb', 'shop'));
    await stores.prepare(resolved, { first: true, waitMs: 0 });
    expect(await readManifest(join(dataDir, 'localdb', 'shop'))).toEqual(built);

    writeFileSync(source, '{"id":"a","name":"second"}\n');
    const later = new Date(Date.now() + 60_000);
    utimesSync(source, later, later);
    await stores.prepare(resolved, { first: true, waitMs: 0 });
    expect(Object.fromEntries((await store?.getMany(['a'])) ?? [])).toEqual({ a: { name: 'second' } });
  });

  it('has no store for Personalize-provided metadata', () => {
    const stores = createItemMetadataStores({ dataDir, clients: {}, logger: recorder().logger });
    expect(stores('shop', { type: 'personalize', itemColumns: ['NAME'] })).toBeUndefined();
  });

  it('refuses to start when the sourceFile is missing', async () => {
    const stores = createItemMetadataStores({
      dataDir: join(root, 'data-missing'),
      clients: {},
      logger: recorder().logger,
    });
    const resolved = validateConfig(
      {
        namespaces: {
          shop: {
            inferenceItemMetadata: { type: 'localdb', sourceFile: 'nope.jsonl' },
            recommenders: {
              'recommend-items': { rfy: { variations: { v: { type: 'http', url: 'http://localhost:9/recs' } } } },
            },
          },
        },
      },
      { baseDir: dir },
    );
    if (!resolved.ok) throw new Error('invalid');
    await expect(stores.prepare(resolved.resolved, { first: true, waitMs: 0 })).rejects.toThrow(
      /cannot read localdb sourceFile .*nope\.jsonl: ENOENT/,
    );
  });
});
