import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InteractionsFileError } from '../../../../data-plane/origins/builtin/interactions-csv.ts';
import { createBuiltinModels } from '../../../../data-plane/origins/builtin/registry.ts';
import type { Config } from '../../../../schema/config-schema.ts';
import { type ResolvedConfig, type ResolvedVariation, resolveConfig } from '../../../../schema/resolve-config.ts';

const CSV =
  'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,a,1,View\nu1,b,2,View\nu2,a,3,View\nu2,b,4,View\nu3,c,5,Purchase\n';

function config(namespaces: Record<string, Record<string, unknown>>): Config {
  return {
    version: '1',
    namespaces: Object.fromEntries(
      Object.entries(namespaces).map(([ns, variations]) => [
        ns,
        {
          recommenders: {
            'recommend-items': { 'for-you': { variations } },
            'related-items': { similar: { variations: { again: { type: 'builtin', interactionsFile: 'shop.csv' } } } },
          },
        },
      ]),
    ),
  } as Config;
}

function variation(resolved: ResolvedConfig, ns: string, key: string): ResolvedVariation {
  return resolved.namespaces
    .get(ns)
    ?.recommenders['recommend-items'].get('for-you')
    ?.variations.get(key) as ResolvedVariation;
}

function recorder() {
  const lines: Array<{ level: string; message: string; attributes?: Record<string, unknown> }> = [];
  return {
    lines,
    info: (message: string, attributes?: Record<string, unknown>) => lines.push({ level: 'info', message, attributes }),
    warn: (message: string, attributes?: Record<string, unknown>) => lines.push({ level: 'warn', message, attributes }),
    debug: (message: string, attributes?: Record<string, unknown>) =>
      lines.push({ level: 'debug', message, attributes }),
    error: (message: string, attributes?: Record<string, unknown>) =>
      lines.push({ level: 'error', message, attributes }),
  };
}

describe('createBuiltinModels', () => {
  let dir: string;
  let resolved: ResolvedConfig;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'p13n-builtin-'));
    await writeFile(join(dir, 'shop.csv'), CSV);
    resolved = resolveConfig(
      config({
        shop: {
          co: { type: 'builtin', interactionsFile: 'shop.csv' },
          'co-too': {
            type: 'builtin',
            interactionsFile: 'shop.csv',
            algorithm: 'cooccurrence',
            excludeInteracted: false,
          },
          pop: { type: 'builtin', interactionsFile: 'shop.csv', algorithm: 'popularity' },
          empty: { type: 'builtin' },
        },
        other: { co: { type: 'builtin', interactionsFile: 'shop.csv' } },
      }),
      { baseDir: dir },
    );
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('trains each (namespace, file, algorithm) once and shares the model between its variations', async () => {
    const logger = recorder();
    const models = createBuiltinModels({ logger });
    await models.prepare(resolved);
    const co = await models.get('shop', variation(resolved, 'shop', 'co'));
    expect(await models.get('shop', variation(resolved, 'shop', 'co-too'))).toBe(co);
    expect(
      await models.get(
        'shop',
        resolved.namespaces
          .get('shop')
          ?.recommenders['related-items'].get('similar')
          ?.variations.get('again') as ResolvedVariation,
      ),
    ).toBe(co);
    const pop = await models.get('shop', variation(resolved, 'shop', 'pop'));
    expect(pop).not.toBe(co);
    expect(pop.algorithm).toBe('popularity');
    expect(await models.get('other', variation(resolved, 'other', 'co'))).not.toBe(co);
    expect(co.related('a', 1).map((i) => i.itemId)).toEqual(['b']);
    const trained = logger.lines.filter((l) => l.message === 'builtin model trained');
    expect(trained).toHaveLength(4);
    expect(
      // Trainings run concurrently, so their log lines come in any order.
      trained.find(
        (l) => l.attributes?.namespace === 'shop' && l.attributes.algorithm === 'cooccurrence' && l.attributes.file,
      )?.attributes,
    ).toMatchObject({
      namespace: 'shop',
      algorithm: 'cooccurrence',
      interactions: 5,
      users: 3,
      items: 3,
      skipped: 0,
    });
  });

  it('trains on first use when prepare has not run, and an empty model without a file', async () => {
    const models = createBuiltinModels();
    const empty = await models.get('shop', variation(resolved, 'shop', 'empty'));
    expect(empty.size()).toEqual({ users: 0, items: 0 });
    const [one, two] = await Promise.all([
      models.get('shop', variation(resolved, 'shop', 'co')),
      models.get('shop', variation(resolved, 'shop', 'co-too')),
    ]);
    expect(one).toBe(two);
  });

  const catalogue =
    (...known: string[]) =>
    async (_namespace: string, ids: readonly string[]) =>
      new Set(ids.filter((id) => known.includes(id)));

  it('feeds events to every model of the namespace and no other', async () => {
    const models = createBuiltinModels({ catalogue: catalogue('new') });
    await models.prepare(resolved);
    const otherBefore = (await models.get('other', variation(resolved, 'other', 'co'))).recommend('someone', 1000);
    await models.learn('shop', [
      { userId: 'u9', itemId: 'new', eventType: 'Purchase' },
      { userId: 'u9', itemId: 'new', eventType: 'Purchase' },
    ]);
    for (const key of ['co', 'pop', 'empty']) {
      const model = await models.get('shop', variation(resolved, 'shop', key));
      expect(model.recommend('someone', 1)[0]?.itemId).toBe('new');
    }
    const other = await models.get('other', variation(resolved, 'other', 'co'));
    expect(other.recommend('someone', 1000)).toEqual(otherBefore);
    expect(other.recommend('someone', 1000).map((r) => r.itemId)).not.toContain('new');
  });

  it('learns no item that neither the training data nor the catalogue knows', async () => {
    const models = createBuiltinModels({ catalogue: catalogue('listed') });
    await models.prepare(resolved);
    const before = await models.get('shop', variation(resolved, 'shop', 'pop'));
    const items = before.size().items;
    await models.learn('shop', [
      { userId: 'u9', itemId: '<script>made-up</script>', eventType: 'Purchase' },
      { userId: 'u9', itemId: 'listed', eventType: 'Purchase' },
    ]);
    expect(before.size().items).toBe(items + 1);
    expect(before.has('listed')).toBe(true);
    expect(before.has('<script>made-up</script>')).toBe(false);
  });

  it('delivers events that arrive while a model is still training', async () => {
    const models = createBuiltinModels({ catalogue: catalogue('late') });
    const preparing = models.prepare(resolved);
    const learning = models.learn('shop', [
      { userId: 'u9', itemId: 'late', eventType: 'Purchase' },
      { userId: 'u9', itemId: 'late', eventType: 'Purchase' },
    ]);
    await Promise.all([preparing, learning]);
    const model = await models.get('shop', variation(resolved, 'shop', 'co'));
    expect(model.recommend('someone', 1)[0]?.itemId).toBe('late');
  });

  it('keeps models (and what they learned) across a reload with unchanged files, retrains when a file changes', async () => {
    const logger = recorder();
    const models = createBuiltinModels({ logger });
    await models.prepare(resolved);
    const before = await models.get('shop', variation(resolved, 'shop', 'co'));
    models.learn('shop', [{ userId: 'u1', itemId: 'c' }]);

    const reloaded = resolveConfig(structuredClone(resolved.config), { baseDir: dir });
    await models.prepare(reloaded);
    expect(await models.get('shop', variation(reloaded, 'shop', 'co'))).toBe(before);
    expect(logger.lines.filter((l) => l.message === 'builtin model trained')).toHaveLength(4);

    await writeFile(join(dir, 'shop.csv'), `${CSV}u4,d,6,View\n`);
    await models.prepare(reloaded);
    const after = await models.get('shop', variation(reloaded, 'shop', 'co'));
    expect(after).not.toBe(before);
    expect(after.size().items).toBe(4);
    expect(logger.lines.some((l) => l.message.includes('interactions file changed'))).toBe(true);
  });

  it("keeps the serving configuration's models while another is prepared, drops the unused ones on retain", async () => {
    const models = createBuiltinModels();
    await models.prepare(resolved);
    const old = await models.get('other', variation(resolved, 'other', 'co'));
    const smaller = resolveConfig(config({ shop: { co: { type: 'builtin', interactionsFile: 'shop.csv' } } }), {
      baseDir: dir,
    });
    await models.prepare(smaller);
    expect(await models.get('other', variation(resolved, 'other', 'co'))).toBe(old);
    await models.retain(smaller);
    expect(await models.get('other', variation(resolved, 'other', 'co'))).not.toBe(old);
  });

  it('fails prepare for an unusable file, logs skipped lines, and retries after the file is fixed', async () => {
    await writeFile(join(dir, 'shop.csv'), 'WHO,WHAT\n');
    const logger = recorder();
    const models = createBuiltinModels({ logger });
    await expect(models.prepare(resolved)).rejects.toThrow(InteractionsFileError);
    await expect(models.get('shop', variation(resolved, 'shop', 'co'))).rejects.toThrow(
      /missing USER_ID, ITEM_ID, TIMESTAMP/,
    );

    await writeFile(join(dir, 'shop.csv'), `${CSV}u5,,7,View\n`);
    await models.prepare(resolved);
    const model = await models.get('shop', variation(resolved, 'shop', 'co'));
    expect(model.size().users).toBe(3);
    expect(logger.lines).toContainEqual({
      level: 'warn',
      message: 'builtin model: malformed interaction lines skipped',
      attributes: { file: join(dir, 'shop.csv'), skipped: 1, lines: ['7: ITEM_ID is empty'] },
    });
  });

  it('refuses a variation that is not builtin', async () => {
    const models = createBuiltinModels();
    const http = { key: 'h', type: 'http', url: 'http://127.0.0.1/' } as unknown as ResolvedVariation;
    await expect(async () => models.get('shop', http)).rejects.toThrow(/not a builtin variation/);
  });

  it('trains the committed embedded default', async () => {
    const file = new URL('../../../../samples/local/config.json', import.meta.url).pathname;
    const sample = resolveConfig(JSON.parse(await readFile(file, 'utf8')), { baseDir: join(file, '..') });
    const logger = recorder();
    const models = createBuiltinModels({ logger });
    await models.prepare(sample);
    // cooccurrence is shared by recommend, related and rerank; popularity has its own model.
    expect(logger.lines.filter((l) => l.message === 'builtin model trained')).toHaveLength(2);
    const forYou = sample.namespaces.get('retail')?.recommenders['recommend-items'].get('for-you');
    const model = await models.get('retail', forYou?.variations.get('cooccurrence') as ResolvedVariation);
    expect(model.recommend('user-1', 25)).toHaveLength(25);
  });
});
