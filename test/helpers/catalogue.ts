/**
 * Writes a synthetic gzipped JSON-lines catalogue of any length as a stream (the generator never holds
 * the file in memory), for the streaming-import test and the import benchmark. Lines listed in
 * `badLines` lack their `id`.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export function catalogueLine(n: number): string {
  return JSON.stringify({
    id: `item-${n}`,
    name: `Product ${n}`,
    category: ['outdoors', 'footwear', 'accessories', 'kitchen'][n % 4],
    description: `A sturdy product number ${n}, good for every season and most budgets.`,
    price: Math.round((n % 500) * 1.37 * 100) / 100,
    image_url: `https://example.com/images/${n}.jpg`,
    current_stock: n % 40,
  });
}

/**
 * @example
 * await writeGzipCatalogue('/tmp/items.jsonl.gz', 200_000, new Set([10, 20]));
 */
export async function writeGzipCatalogue(path: string, lines: number, badLines = new Set<number>()): Promise<void> {
  async function* generate() {
    const batch: string[] = [];
    for (let line = 1; line <= lines; line++) {
      batch.push(badLines.has(line) ? JSON.stringify({ name: `orphan ${line}` }) : catalogueLine(line));
      if (batch.length === 1_000 || line === lines) {
        yield `${batch.join('\n')}\n`;
        batch.length = 0;
      }
    }
  }
  await pipeline(Readable.from(generate()), createGzip({ level: 1 }), createWriteStream(path));
}
