import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  InteractionsFileError,
  readInteractionsCsv,
  type SkippedLine,
} from '../../../../data-plane/origins/builtin/interactions-csv.ts';

async function read(text: string) {
  const skipped: SkippedLine[] = [];
  const rows = [];
  for await (const row of readInteractionsCsv(Readable.from([text]), (s) => skipped.push(s))) rows.push(row);
  return { rows, skipped };
}

describe('readInteractionsCsv', () => {
  it('reads the Personalize format', async () => {
    const { rows, skipped } = await read(
      'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,i1,1700000000,View\nu2,i2,1700000001,Purchase\n',
    );
    expect(rows).toEqual([
      { userId: 'u1', itemId: 'i1', timestamp: 1700000000, eventType: 'View' },
      { userId: 'u2', itemId: 'i2', timestamp: 1700000001, eventType: 'Purchase' },
    ]);
    expect(skipped).toEqual([]);
  });

  it('finds the columns by name in any order, beside extra columns, without EVENT_TYPE', async () => {
    const { rows } = await read('timestamp,EVENT_VALUE,item_id,user_id\n1700000000,4.5,i1,u1\r\n1700000002,,i2,u1\r\n');
    expect(rows).toEqual([
      { userId: 'u1', itemId: 'i1', timestamp: 1700000000 },
      { userId: 'u1', itemId: 'i2', timestamp: 1700000002 },
    ]);
  });

  it('accepts a byte-order mark, quoted fields and blank lines', async () => {
    const { rows, skipped } = await read(
      '\uFEFFUSER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n"u,1","i ""1""",1700000000,"AddToCart"\n\nu2,i2,1700000001,\n',
    );
    expect(rows).toEqual([
      { userId: 'u,1', itemId: 'i "1"', timestamp: 1700000000, eventType: 'AddToCart' },
      { userId: 'u2', itemId: 'i2', timestamp: 1700000001 },
    ]);
    expect(skipped).toEqual([]);
  });

  it('skips malformed lines, reporting each with its line number, and keeps the rest', async () => {
    const { rows, skipped } = await read(
      [
        'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE',
        'u1,i1,1700000000,View',
        ',i2,1700000000,View',
        'u3,,1700000000,View',
        'u4,i4,yesterday,View',
        'u5,i5,1700000000,View,extra',
        '"u6,i6,1700000000,View',
        'u7,i7,1700000000,View',
      ].join('\n'),
    );
    expect(rows.map((r) => r.userId)).toEqual(['u1', 'u7']);
    expect(skipped).toEqual([
      { line: 3, reason: 'USER_ID is empty' },
      { line: 4, reason: 'ITEM_ID is empty' },
      { line: 5, reason: "TIMESTAMP 'yesterday' is not a number of seconds" },
      { line: 6, reason: '5 fields but the header has 4' },
      { line: 7, reason: 'unterminated quoted field' },
    ]);
  });

  it('rejects a header without the required columns, naming them', async () => {
    await expect(read('USER,ITEM_ID,WHEN\nu1,i1,1\n')).rejects.toThrow(
      new InteractionsFileError(
        'the header (line 1) must name USER_ID, ITEM_ID, TIMESTAMP; missing USER_ID, TIMESTAMP',
      ),
    );
  });

  it('rejects an empty file and a missing file', async () => {
    await expect(read('')).rejects.toThrow(/empty \(no header line\)/);
    const missing = readInteractionsCsv('/nonexistent/interactions.csv');
    await expect(missing.next()).rejects.toThrow(InteractionsFileError);
  });
});
