import { appendFile, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileTarget } from '../../../../data-plane/events/targets/file.ts';
import {
  type AppendFileSystem,
  createFileAppender,
  nodeFileSystem,
} from '../../../../data-plane/events/targets/file-appender.ts';
import { sampleBatch, testClients } from '../fixtures.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A new temporary folder, removed after the tests. */
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'p13n-file-target-'));
  dirs.push(dir);
  return dir;
}

type Write = (bytes: Buffer) => Promise<void>;

/** The node file system with each opened file's `write` replaced by `wrap(write, path)`. */
function wrappingWrites(wrap: (write: Write, path: string) => Write): AppendFileSystem {
  return {
    ...nodeFileSystem,
    open: async (path) => {
      const opened = await nodeFileSystem.open(path);
      opened.file.write = wrap(opened.file.write, path);
      return opened;
    },
  };
}

/** Writes that, while `full()`, put `written(bytes)` of the bytes in the file and then fail like ENOSPC. */
function diskFilling(full: () => boolean, written: (bytes: Buffer) => number): AppendFileSystem {
  return wrappingWrites((write, path) => async (bytes) => {
    if (!full()) return write(bytes);
    await appendFile(path, bytes.subarray(0, written(bytes)));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  });
}

describe('file target', () => {
  it('appends one JSON line per record, creating the folder', async () => {
    const dir = await tempDir();
    const path = join(dir, 'nested', 'events.jsonl');
    const target = fileTarget({ type: 'file', path }, { ...testClients(), files: createFileAppender() });
    const batch = sampleBatch();

    await target.send(batch);
    await target.send(batch);

    expect(target.name).toBe('file:events.jsonl');
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([...batch.records, ...batch.records]);
  });

  it('never interleaves concurrent batches', async () => {
    const dir = await tempDir();
    const path = join(dir, 'events.jsonl');
    const target = fileTarget({ type: 'file', path }, { ...testClients(), files: createFileAppender() });
    const batches = Array.from({ length: 40 }, (_, i) => {
      const b = sampleBatch();
      return { ...b, records: b.records.map((r) => ({ ...r, userId: `u-${i}` })) };
    });
    await Promise.all(batches.map((b) => target.send(b)));
    const users = (await readFile(path, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l).userId as string);
    expect(users).toHaveLength(120);
    for (let i = 0; i < users.length; i += 3) expect(new Set(users.slice(i, i + 3)).size).toBe(1);
  });

  it('reports a write failure and keeps writing afterwards', async () => {
    const dir = await tempDir();
    const files = createFileAppender();
    await files.append(join(dir, 'taken'), 'x');
    const blocked = fileTarget({ type: 'file', path: join(dir, 'taken', 'events.jsonl') }, { ...testClients(), files });
    await expect(blocked.send(sampleBatch())).rejects.toMatchObject({ code: expect.stringMatching(/ENOTDIR|EEXIST/) });
    await files.append(join(dir, 'ok.jsonl'), 'fine\n');
    expect(await readFile(join(dir, 'ok.jsonl'), 'utf8')).toBe('fine\n');
  });

  it('leaves the file as it was when a write fails part-way (a full disk), so the next record is whole', async () => {
    const dir = await tempDir();
    const path = join(dir, 'events.jsonl');
    let diskFull = false;
    // Like ENOSPC in the middle of a write: half the bytes reach the file, then the write fails.
    const files = createFileAppender(
      diskFilling(
        () => diskFull,
        (bytes) => Math.floor(bytes.length / 2),
      ),
    );
    const target = fileTarget({ type: 'file', path }, { ...testClients(), files });
    const batch = sampleBatch();
    await target.send(batch);
    const before = await readFile(path, 'utf8');
    diskFull = true;
    await expect(target.send(batch)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readFile(path, 'utf8')).toBe(before);
    diskFull = false;
    await target.send(batch);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([...batch.records, ...batch.records]);
  });

  it('joins the texts of one turn into one write and keeps the file open between rounds', async () => {
    const dir = await tempDir();
    const path = join(dir, 'events.jsonl');
    const calls = { open: 0, write: 0 };
    const files = createFileAppender(
      wrappingWrites((write) => {
        calls.open++;
        return (bytes) => {
          calls.write++;
          return write(bytes);
        };
      }),
    );
    await Promise.all(Array.from({ length: 20 }, (_, i) => files.append(path, `${i}\n`)));
    await files.append(path, 'last\n');
    expect(calls).toEqual({ open: 1, write: 2 });
    expect(await readFile(path, 'utf8')).toBe(`${Array.from({ length: 20 }, (_, i) => `${i}\n`).join('')}last\n`);
  });

  it('writes to the path again after the file was rotated away or deleted', async () => {
    const dir = await tempDir();
    const path = join(dir, 'events.jsonl');
    let clock = 0;
    const files = createFileAppender(nodeFileSystem, () => clock);
    await files.append(path, 'one\n');
    await rename(path, join(dir, 'events.jsonl.1'));
    clock += 1000;
    await files.append(path, 'two\n');
    expect(await readFile(join(dir, 'events.jsonl.1'), 'utf8')).toBe('one\n');
    expect(await readFile(path, 'utf8')).toBe('two\n');
    await rm(path);
    clock += 1000;
    await files.append(path, 'three\n');
    expect(await readFile(path, 'utf8')).toBe('three\n');
  });

  it('cuts back to the size another writer left when it failed part-way', async () => {
    const dir = await tempDir();
    const path = join(dir, 'events.jsonl');
    let clock = 0;
    let diskFull = false;
    const files = createFileAppender(
      diskFilling(
        () => diskFull,
        () => 3,
      ),
      () => clock,
    );
    await files.append(path, 'ours\n');
    await appendFile(path, 'theirs\n');
    clock += 1000;
    diskFull = true;
    await expect(files.append(path, 'lost\n')).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readFile(path, 'utf8')).toBe('ours\ntheirs\n');
  });
});
