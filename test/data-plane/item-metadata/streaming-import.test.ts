import { createReadStream, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importItems } from '../../../contracts/item-metadata/import-items.ts';
import { readItemLines } from '../../../contracts/item-metadata/json-lines.ts';
import { LocaldbStore } from '../../../data-plane/item-metadata/localdb-store.ts';
import { writeGzipCatalogue } from '../../helpers/catalogue.ts';

const LINES = 200_000;
const BAD = new Set([1, 77_777, 150_000, LINES]);
const dir = mkdtempSync(join(tmpdir(), 'p13n-stream-'));
const file = join(dir, 'items.jsonl.gz');
let store: LocaldbStore | undefined;

beforeAll(async () => {
  await writeGzipCatalogue(file, LINES, BAD);
}, 60_000);
afterAll(() => store?.close());

describe('streaming import of a 200,000-line gzip catalogue', () => {
  it('reads the file lazily: the first items arrive after a small part of it was read', async () => {
    const size = statSync(file).size;
    let bytesRead = 0;
    const source = createReadStream(file);
    source.on('data', (chunk) => {
      bytesRead += chunk.length;
    });
    const lines = readItemLines(source);
    const first = await lines.next();
    expect(first.done).toBe(false);
    expect(bytesRead).toBeLessThan(size / 10);
    await lines.return(undefined);
    source.destroy();
  });

  it('imports every valid line into a fresh localdb and reports the bad ones by line number', async () => {
    const dataDir = join(dir, 'data');
    const report = await importItems({
      namespace: 'big',
      config: { type: 'localdb' },
      source: createReadStream(file),
      clients: {},
      dataDir,
    });
    expect(report.imported).toBe(LINES - BAD.size);
    expect(report.skipped).toEqual([...BAD].map((line) => ({ line, reason: 'missing "id"' })));
    expect(report.skippedCount).toBe(BAD.size);

    store = new LocaldbStore(report.location);
    const found = await store.getMany(['item-2', 'item-77777', 'item-123456', `item-${LINES - 1}`, `item-${LINES}`]);
    expect([...found.keys()]).toEqual(['item-2', 'item-123456', `item-${LINES - 1}`]);
    expect(found.get('item-123456')).toMatchObject({ name: 'Product 123456', category: 'outdoors' });
  });
});
