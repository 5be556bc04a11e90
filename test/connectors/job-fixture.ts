/** Builds job folders in a temporary directory for the local connector tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface JobFiles {
  config?: unknown;
  /** Raw text of config.json (wins over `config`). */
  configText?: string;
  /** Batch output lines, or records to serialise. */
  batch?: Array<string | Record<string, unknown>>;
  mapping?: string;
  items?: Array<Record<string, unknown>>;
}

export const BRAZE_CONFIG = {
  batchInferencePath: 'batch/',
  connectors: { braze: { itemMetadataFields: ['id', 'name', 'price'], attributePrefix: 'recs_' } },
};

export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'p13n-connectors-'));
}

/** Writes (or rewrites) a job folder `root/etl_jobs/<type>/<name>/`. */
export function writeJob(root: string, type: string, name: string, files: JobFiles): string {
  const dir = join(root, 'etl_jobs', type, name);
  mkdirSync(join(dir, 'batch'), { recursive: true });
  if (files.configText !== undefined || files.config !== undefined) {
    writeFileSync(join(dir, 'config.json'), files.configText ?? JSON.stringify(files.config));
  }
  if (files.batch) {
    const text = files.batch.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');
    writeFileSync(join(dir, 'batch', 'part-0.json.out'), `${text}\n`);
  }
  if (files.mapping !== undefined) {
    mkdirSync(join(dir, 'input', 'user_item_mapping'), { recursive: true });
    writeFileSync(join(dir, 'input', 'user_item_mapping', 'map.csv'), files.mapping);
  }
  if (files.items) {
    mkdirSync(join(dir, 'input', 'item_metadata'), { recursive: true });
    writeFileSync(
      join(dir, 'input', 'item_metadata', 'items.json'),
      files.items.map((i) => JSON.stringify(i)).join('\n'),
    );
  }
  return dir;
}

export const catalogue = (n: number, price = (i: number) => 10 + i) =>
  Array.from({ length: n }, (_, i) => ({ id: `i${i}`, name: `Item ${i}`, price: price(i), colour: 'red' }));

/** `users` users with 5 items each from a catalogue of `items`, deterministic. */
export function userRecords(users: number, items: number, shift = (_u: number) => 0) {
  return Array.from({ length: users }, (_, u) => ({
    input: { userId: `u${u}` },
    output: { recommendedItems: Array.from({ length: 5 }, (_, k) => `i${(u * 7 + k * 3 + shift(u)) % items}`) },
  }));
}

/** A distinct clock per run, so each run gets its own time= partition. */
export function clock(): () => Date {
  let t = Date.UTC(2026, 10, 1, 12, 0, 0);
  return () => {
    t += 1000;
    return new Date(t);
  };
}
