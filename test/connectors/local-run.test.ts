import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobConfigError, JobInputError } from '../../connectors/errors.ts';
import { runLocalJob } from '../../connectors/run-local.ts';
import { BRAZE_CONFIG, catalogue, clock, tempRoot, userRecords, writeJob } from './job-fixture.ts';

const roots: string[] = [];
const root = () => {
  const r = tempRoot();
  roots.push(r);
  return r;
};
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function outputUsers(file: string | undefined): string[] {
  if (!file) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).userId);
}

/** Folders a run published under output/braze and errors (state excluded). */
function published(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d, { withFileTypes: true })) {
      if (name.name === 'state') continue;
      const path = join(d, name.name);
      if (name.isDirectory()) walk(path);
      else found.push(path);
    }
  };
  walk(join(dir, 'output'));
  walk(join(dir, 'errors'));
  return found;
}

describe('local run: records and the delta check', () => {
  it('sends each user once with their decorated list, then nothing on an identical run', async () => {
    const dir = writeJob(root(), 'user_personalization', 'weekly', {
      config: BRAZE_CONFIG,
      items: catalogue(50),
      batch: userRecords(200, 50),
    });
    const now = clock();
    const first = await runLocalJob({ jobDir: dir, now });
    expect(first.stats).toMatchObject({
      records: 200,
      failed: 0,
      users: 200,
      sent: { braze: 200 },
      unchanged: { braze: 0 },
    });
    const lines = readFileSync(first.outputs.braze!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0].record).toEqual({
      external_id: 'u0',
      recs_id: ['i0', 'i3', 'i6', 'i9', 'i12'],
      recs_name: ['Item 0', 'Item 3', 'Item 6', 'Item 9', 'Item 12'],
      recs_price: [10, 13, 16, 19, 22],
    });
    const second = await runLocalJob({ jobDir: dir, now });
    expect(second.stats.sent).toEqual({ braze: 0 });
    expect(second.stats.unchanged).toEqual({ braze: 200 });
    expect(second.outputs.braze).toBeUndefined();
    expect(existsSync(join(dir, 'output', 'braze', second.partition))).toBe(false);
  });

  it('after 10% of users’ lists change, sends exactly those users', async () => {
    const r = root();
    const write = (shift?: (u: number) => number) =>
      writeJob(r, 'user_personalization', 'weekly', {
        config: BRAZE_CONFIG,
        items: catalogue(50),
        batch: userRecords(300, 50, shift),
      });
    const dir = write();
    const now = clock();
    await runLocalJob({ jobDir: dir, now });
    const changed = new Set(Array.from({ length: 30 }, (_, k) => k * 10 + 3));
    write((u) => (changed.has(u) ? 1 : 0));
    const report = await runLocalJob({ jobDir: dir, now });
    expect(outputUsers(report.outputs.braze).sort()).toEqual([...changed].map((u) => `u${u}`).sort());
    expect(report.stats.unchanged.braze).toBe(270);
  });

  it('after one item’s price changes, sends exactly the users whose list holds it', async () => {
    const r = root();
    const items = (price: (i: number) => number) =>
      writeJob(r, 'user_personalization', 'weekly', {
        config: BRAZE_CONFIG,
        items: catalogue(50, price),
        batch: userRecords(300, 50),
      });
    const dir = items((i) => 10 + i);
    const now = clock();
    await runLocalJob({ jobDir: dir, now });
    items((i) => (i === 17 ? 99.5 : 10 + i));
    const report = await runLocalJob({ jobDir: dir, now });
    const holders = userRecords(300, 50)
      .filter((u) => u.output.recommendedItems.includes('i17'))
      .map((u) => u.input.userId);
    expect(holders.length).toBeGreaterThan(0);
    expect(outputUsers(report.outputs.braze).sort()).toEqual(holders.sort());
    // A field that is not sent (colour) changes nothing.
    writeJob(r, 'user_personalization', 'weekly', {
      items: catalogue(50, (i) => (i === 17 ? 99.5 : 10 + i)).map((i) => ({ ...i, colour: 'blue' })),
    });
    expect((await runLocalJob({ jobDir: dir, now })).stats.sent).toEqual({ braze: 0 });
  });

  it('related items: attributes through the mapping, and a price change reaches exactly the affected users', async () => {
    const r = root();
    const related = [
      { input: { itemId: 'i1' }, output: { recommendedItems: ['i2', 'i3'] } },
      { input: { itemId: 'i2' }, output: { recommendedItems: ['i3', 'i4'] } },
      { input: { itemId: 'i9' }, output: { recommendedItems: ['i1'] } },
    ];
    // u3 appears twice: the last row wins, so u3 gets i2's related items.
    const mapping = 'ITEM_ID,USER_ID\ni1,u1\ni1,u2\ni1,u3\ni2,u4\ni2,u3\n';
    const config = { ...BRAZE_CONFIG, saveBatchInferenceErrors: true };
    const dir = writeJob(r, 'related_items', 'similar', { config, items: catalogue(10), batch: related, mapping });
    const now = clock();
    const first = await runLocalJob({ jobDir: dir, now });
    expect(first.stats).toMatchObject({ records: 3, unmapped: 1, users: 4 });
    const records = Object.fromEntries(
      readFileSync(first.outputs.braze!, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map((l) => [l.userId, l.record.recs_id]),
    );
    expect(records).toEqual({ u1: ['i2', 'i3'], u2: ['i2', 'i3'], u3: ['i3', 'i4'], u4: ['i3', 'i4'] });
    writeJob(r, 'related_items', 'similar', { items: catalogue(10, (i) => (i === 4 ? 1 : 10 + i)) });
    const second = await runLocalJob({ jobDir: dir, now });
    expect(outputUsers(second.outputs.braze).sort()).toEqual(['u3', 'u4']);
  });

  it('keeps batch errors and records without recommendations when configured, and counts them', async () => {
    const dir = writeJob(root(), 'user_personalization', 'weekly', {
      config: { ...BRAZE_CONFIG, saveBatchInferenceErrors: true },
      batch: [
        ...userRecords(3, 10),
        { input: { userId: 'e1' }, error: 'no model for user' },
        { input: { userId: 'e2' }, output: { recommendedItems: [] } },
        { input: { userId: 'e3' } },
      ],
    });
    const report = await runLocalJob({ jobDir: dir, now: clock() });
    expect(report.stats).toMatchObject({ records: 6, failed: 3, users: 3 });
    const errors = readFileSync(report.errorsFile!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(errors.map((e) => [e.line, e.reason])).toEqual([
      [4, 'no model for user'],
      [5, 'output.recommendedItems is empty'],
      [6, 'no output.recommendedItems'],
    ]);
    expect(report.errorsFile).toMatch(/errors\/year=2026\/month=11\/day=01\/time=120001\/part-00000\.jsonl$/);
  });

  it('a failed run publishes nothing and leaves the last state, so the next good run still sends the changes', async () => {
    const r = root();
    const dir = writeJob(r, 'user_personalization', 'weekly', {
      config: BRAZE_CONFIG,
      items: catalogue(20),
      batch: userRecords(50, 20),
    });
    const now = clock();
    await runLocalJob({ jobDir: dir, now });
    const before = published(dir);
    const changed = userRecords(50, 20, (u) => (u < 5 ? 1 : 0));
    writeJob(r, 'user_personalization', 'weekly', { batch: [...changed, '{"input": {"userId": "x"}, "output": '] });
    await expect(runLocalJob({ jobDir: dir, now })).rejects.toThrow(/part-0\.json\.out: line 51: not valid JSON/);
    expect(published(dir)).toEqual(before);
    writeJob(r, 'user_personalization', 'weekly', { batch: changed });
    const next = await runLocalJob({ jobDir: dir, now });
    expect(outputUsers(next.outputs.braze).sort()).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
  });
});

describe('local run: bad input is a clear error naming the file and line, and writes no state', () => {
  const expectNothingWritten = (dir: string) => {
    expect(existsSync(join(dir, 'output'))).toBe(false);
    expect(existsSync(join(dir, 'errors'))).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith('.run-'))).toEqual([]);
  };

  it('a malformed JSON line', async () => {
    const dir = writeJob(root(), 'user_personalization', 'weekly', {
      config: BRAZE_CONFIG,
      batch: [...userRecords(2, 5), '{"input": {"userId": "u9"}, "output": {"recommendedItems": ["a"]'],
    });
    const err = await runLocalJob({ jobDir: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobInputError);
    expect((err as JobInputError).message).toMatch(/batch\/part-0\.json\.out: line 3: not valid JSON/);
    expectNothingWritten(dir);
  });

  it('a record of the wrong job type, or with a non-array list', async () => {
    const wrongType = writeJob(root(), 'user_personalization', 'w', {
      config: BRAZE_CONFIG,
      batch: [{ input: { itemId: 'i1' }, output: { recommendedItems: ['a'] } }],
    });
    await expect(runLocalJob({ jobDir: wrongType })).rejects.toThrow(
      /line 1: "input.userId" is missing or empty \(user_personalization job\)/,
    );
    const notArray = writeJob(root(), 'user_personalization', 'w', {
      config: BRAZE_CONFIG,
      batch: [{ input: { userId: 'u' }, output: { recommendedItems: 'a,b' } }],
    });
    await expect(runLocalJob({ jobDir: notArray })).rejects.toThrow(
      /line 1: "output.recommendedItems" must be an array/,
    );
    expectNothingWritten(wrongType);
  });

  it('a mapping CSV without USER_ID or ITEM_ID, or a row without a value', async () => {
    const batch = [{ input: { itemId: 'i1' }, output: { recommendedItems: ['i2'] } }];
    const noUser = writeJob(root(), 'related_items', 'r', {
      config: BRAZE_CONFIG,
      batch,
      mapping: 'CUSTOMER,ITEM_ID\n1,i1\n',
    });
    await expect(runLocalJob({ jobDir: noUser })).rejects.toThrow(
      /user_item_mapping\/map\.csv: line 1: header has no USER_ID column/,
    );
    expectNothingWritten(noUser);
    const noItem = writeJob(root(), 'related_items', 'r', { config: BRAZE_CONFIG, batch, mapping: 'USER_ID\nu1\n' });
    await expect(runLocalJob({ jobDir: noItem })).rejects.toThrow(/map\.csv: line 1: header has no ITEM_ID column/);
    const emptyValue = writeJob(root(), 'related_items', 'r', {
      config: BRAZE_CONFIG,
      batch,
      mapping: 'USER_ID,ITEM_ID\nu1,i1\nu2,\n',
    });
    await expect(runLocalJob({ jobDir: emptyValue })).rejects.toThrow(/map\.csv: line 3: ITEM_ID is empty/);
    const none = writeJob(root(), 'related_items', 'r', { config: BRAZE_CONFIG, batch });
    await expect(runLocalJob({ jobDir: none })).rejects.toThrow(/related_items job needs user-item mapping CSV files/);
    expectNothingWritten(none);
  });

  it('a configuration without batchInferencePath or without connectors, or not JSON', async () => {
    const noPath = writeJob(root(), 'user_personalization', 'w', { config: { connectors: { braze: {} } }, batch: [] });
    const err = (await runLocalJob({ jobDir: noPath }).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(JobConfigError);
    expect(err.message).toMatch(/w\/config\.json: invalid job configuration\n {2}batchInferencePath: /);
    const noConnectors = writeJob(root(), 'user_personalization', 'w', { config: { batchInferencePath: 'batch/' } });
    await expect(runLocalJob({ jobDir: noConnectors })).rejects.toThrow(
      /config\.json: invalid job configuration\n {2}connectors: /,
    );
    const emptyConnectors = writeJob(root(), 'user_personalization', 'w', {
      config: { batchInferencePath: 'batch/', connectors: {} },
    });
    await expect(runLocalJob({ jobDir: emptyConnectors })).rejects.toThrow(
      /connectors: declare at least one connector/,
    );
    const syntax = writeJob(root(), 'user_personalization', 'w', {
      configText: '{\n  "batchInferencePath": "batch/",\n  oops\n}',
    });
    await expect(runLocalJob({ jobDir: syntax })).rejects.toThrow(/config\.json: line 3: not valid JSON/);
    expectNothingWritten(syntax);
  });

  it('an unknown job type', async () => {
    const dir = writeJob(root(), 'personalized_ranking', 'w', { config: BRAZE_CONFIG, batch: userRecords(1, 5) });
    await expect(runLocalJob({ jobDir: dir })).rejects.toThrow(
      /personalized_ranking\/w: unknown job type 'personalized_ranking'.*related_items.*user_personalization/,
    );
    expectNothingWritten(dir);
  });
});

describe('local run in worker threads', () => {
  it('shares the part files over threads with the same result, and a bad line still names its file and line', async () => {
    const r = root();
    const dir = writeJob(r, 'user_personalization', 'weekly', {
      config: BRAZE_CONFIG,
      items: catalogue(30),
      batch: userRecords(90, 30).slice(0, 30),
    });
    const records = userRecords(90, 30);
    writeFileSync(
      join(dir, 'batch', 'part-1.json.out'),
      records
        .slice(30, 60)
        .map((x) => JSON.stringify(x))
        .join('\n'),
    );
    writeFileSync(
      join(dir, 'batch', 'part-2.json.out'),
      records
        .slice(60)
        .map((x) => JSON.stringify(x))
        .join('\n'),
    );
    const now = clock();
    const report = await runLocalJob({ jobDir: dir, now, workers: 2 });
    expect(report.stats).toMatchObject({ records: 90, users: 90, sent: { braze: 90 } });
    const parts = readdirSync(join(report.outputs.braze!, '..')).sort();
    // One output part per batch-inference part file.
    expect(parts).toEqual(['part-00000.jsonl', 'part-00001.jsonl', 'part-00002.jsonl']);
    const users = parts.flatMap((p) => outputUsers(join(report.outputs.braze!, '..', p)));
    expect(users.sort()).toEqual(records.map((x) => x.input.userId).sort());
    expect((await runLocalJob({ jobDir: dir, now, workers: 2 })).stats.sent).toEqual({ braze: 0 });
    writeFileSync(join(dir, 'batch', 'part-2.json.out'), '{"input":{"userId":"u1"}}\n{oops\n');
    const err = await runLocalJob({ jobDir: dir, now, workers: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobInputError);
    expect((err as Error).message).toMatch(/part-2\.json\.out: line 2: not valid JSON/);
  });

  it('a user twice in the batch output is sent once, with their last occurrence (later part file, then later line), on every run the same', async () => {
    const r = root();
    const line = (user: string, items: string[]) =>
      JSON.stringify({ input: { userId: user }, output: { recommendedItems: items } });
    const dir = writeJob(r, 'user_personalization', 'twice', { config: BRAZE_CONFIG, items: catalogue(10) });
    // Three part files over two threads: part-0 and part-2 in one, part-1 in the other.
    const write = (parts: string[][][]) => {
      for (const [p, lines] of parts.entries()) {
        writeFileSync(
          join(dir, 'batch', `part-${p}.json.out`),
          `${lines.map(([user, ...items]) => line(user as string, items)).join('\n')}\n`,
        );
      }
    };
    const run = async () => {
      const report = await runLocalJob({ jobDir: dir, now, workers: 2 });
      const dirOf = report.outputs.braze ? join(report.outputs.braze, '..') : undefined;
      const lines = dirOf
        ? readdirSync(dirOf)
            .sort()
            .flatMap((f) => readFileSync(join(dirOf, f), 'utf8').trim().split('\n'))
            .map((l) => JSON.parse(l))
        : [];
      return { report, sent: Object.fromEntries(lines.map((l) => [l.userId, l.record.recs_id])), lines };
    };
    const now = clock();
    // u1 in part-0, part-1 and part-2 (part-2 wins); u2 twice in part-1 (its later line wins); u3 in
    // part-0 and part-1, other threads (part-1 wins).
    write([
      [
        ['u1', 'i1'],
        ['u3', 'i3'],
      ],
      [
        ['u2', 'i2'],
        ['u1', 'i4'],
        ['u2', 'i5'],
        ['u3', 'i6'],
      ],
      [['u1', 'i7']],
    ]);
    const first = await run();
    expect(first.sent).toEqual({ u1: ['i7'], u2: ['i5'], u3: ['i6'] });
    expect(first.lines).toHaveLength(3);
    expect(first.report.stats).toMatchObject({
      records: 7,
      users: 3,
      duplicates: 4,
      sent: { braze: 3 },
      unchanged: { braze: 0 },
    });

    // The same input: nothing sent (no occurrence flips the state between runs).
    expect((await run()).report.stats).toMatchObject({
      users: 3,
      duplicates: 4,
      sent: { braze: 0 },
      unchanged: { braze: 3 },
    });
    // Earlier occurrences change, the winning ones do not: nothing sent.
    write([
      [
        ['u1', 'i0'],
        ['u3', 'i0'],
      ],
      [
        ['u2', 'i0'],
        ['u1', 'i0'],
        ['u2', 'i5'],
        ['u3', 'i6'],
      ],
      [['u1', 'i7']],
    ]);
    expect((await run()).sent).toEqual({});
    // The winning occurrence of u1 changes: u1 alone, with it.
    write([
      [
        ['u1', 'i0'],
        ['u3', 'i0'],
      ],
      [
        ['u2', 'i0'],
        ['u1', 'i0'],
        ['u2', 'i5'],
        ['u3', 'i6'],
      ],
      [['u1', 'i8']],
    ]);
    const last = await run();
    expect(last.sent).toEqual({ u1: ['i8'] });
    expect(last.report.stats).toMatchObject({ users: 3, duplicates: 4, sent: { braze: 1 }, unchanged: { braze: 2 } });
  });
});
