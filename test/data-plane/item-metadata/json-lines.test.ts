import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type LineBatch, readItemLines } from '../../../contracts/item-metadata/json-lines.ts';

async function readAll(source: AsyncIterable<Buffer | string>, options = {}) {
  const out: LineBatch = { items: [], invalid: [] };
  for await (const batch of readItemLines(source, options)) {
    out.items.push(...batch.items);
    out.invalid.push(...batch.invalid);
  }
  return out;
}

const text = [
  '{"id":"a","name":"Tan Backpack","price":90.99}',
  '',
  '   ',
  '{"id":42,"tags":["x"]}',
  '{"name":"no id"}',
  '{"id":"b",',
  '[1,2]',
  'null',
  '{"id":""}',
  '{"id":true}',
  '{"id":"c"}\r',
  '{"id":"d"}',
].join('\n');

describe('readItemLines', () => {
  it('yields valid items and names every bad line by its number; blank lines are ignored', async () => {
    const { items, invalid } = await readAll(Readable.from([text]));
    expect(items).toEqual([
      { line: 1, id: 'a', metadata: { name: 'Tan Backpack', price: 90.99 } },
      { line: 4, id: '42', metadata: { tags: ['x'] } },
      { line: 11, id: 'c', metadata: {} },
      { line: 12, id: 'd', metadata: {} },
    ]);
    expect(invalid).toEqual([
      { line: 5, reason: 'missing "id"' },
      { line: 6, reason: expect.stringMatching(/^not valid JSON: /) },
      { line: 7, reason: 'not a JSON object' },
      { line: 8, reason: 'not a JSON object' },
      { line: 9, reason: '"id" is empty' },
      { line: 10, reason: '"id" must be a string or a number' },
    ]);
  });

  it('reads gzip, detected by its magic bytes, even when chunks split lines and characters', async () => {
    const plain = Buffer.from('{"id":"é1","n":"ü"}\n{"id":"é2"}\n');
    const gz = gzipSync(plain);
    const oneByteChunks = (buf: Buffer) => Readable.from([...buf].map((b) => Buffer.from([b])));
    for (const source of [oneByteChunks(gz), oneByteChunks(plain)]) {
      const { items } = await readAll(source);
      expect(items.map((i) => [i.line, i.id, i.metadata])).toEqual([
        [1, 'é1', { n: 'ü' }],
        [2, 'é2', {}],
      ]);
    }
  });

  it('reports over-long lines and IDs without buffering them, and keeps reading after them', async () => {
    const long = `{"id":"x","blob":"${'y'.repeat(5_000)}"}`;
    const source = Readable.from([
      long.slice(0, 2_000),
      long.slice(2_000),
      '\n{"id":"ok"}\n',
      `{"id":"${'k'.repeat(40)}"}`,
    ]);
    const { items, invalid } = await readAll(source, { maxLineLength: 1_000, maxIdBytes: 32 });
    expect(items.map((i) => i.id)).toEqual(['ok']);
    expect(invalid).toEqual([
      { line: 1, reason: 'line longer than 1000 characters' },
      { line: 3, reason: '"id" is longer than 32 bytes' },
    ]);
  });

  it('surfaces a corrupt gzip stream as an error', async () => {
    const gz = gzipSync(Buffer.from('{"id":"a"}\n'.repeat(100)));
    const corrupt = Buffer.concat([gz.subarray(0, 20), Buffer.alloc(40, 7)]);
    await expect(readAll(Readable.from([corrupt]))).rejects.toThrow();
  });
});
