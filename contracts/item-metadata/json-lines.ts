/**
 * Streams a JSON-lines catalogue (plain or gzip, told apart by the gzip magic bytes) into validated
 * items, one batch per input chunk. The reader pulls chunks only as fast as the caller consumes the
 * batches, so memory is bounded by the chunk size and the longest line, never by the file size.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { ItemMetadata } from './item.ts';

export interface ValidItem {
  line: number;
  id: string;
  metadata: ItemMetadata;
}

export interface InvalidLine {
  line: number;
  reason: string;
}

export interface LineBatch {
  items: ValidItem[];
  invalid: InvalidLine[];
}

export interface ReadOptions {
  /** Longest line accepted, in characters (default 4 MiB); longer lines are reported and skipped. */
  maxLineLength?: number;
  /** Longest item ID accepted, in UTF-8 bytes (default 1024, well inside LMDB's and DynamoDB's key limits). */
  maxIdBytes?: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** The source's bytes, gunzipped when they start with the gzip magic number. */
export async function* decompressed(source: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let done = false;
  while (head.length < GZIP_MAGIC.length && !done) {
    const next = await iterator.next();
    if (next.done) done = true;
    else head = Buffer.concat([head, Buffer.from(next.value)]);
  }
  const all = async function* (): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.from(next.value);
    }
  };
  if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
    yield* all();
    return;
  }
  const gunzip = createGunzip();
  const piping = pipeline(Readable.from(all()), gunzip);
  piping.catch(() => {
    // The same error surfaces to the consumer through the gunzip stream it is iterating.
  });
  for await (const chunk of gunzip) yield chunk as Buffer;
  await piping;
}

/** Validates one non-blank line. */
export function parseItemLine(
  text: string,
  line: number,
  maxIdBytes = 1024,
): { item: ValidItem } | { invalid: InvalidLine } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { invalid: { line, reason: `not valid JSON: ${(err as Error).message}` } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { invalid: { line, reason: 'not a JSON object' } };
  }
  const { id, ...metadata } = value as Record<string, unknown>;
  if (id === undefined) return { invalid: { line, reason: 'missing "id"' } };
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
    return { invalid: { line, reason: '"id" must be a string or a number' } };
  }
  const key = String(id);
  if (key.length === 0) return { invalid: { line, reason: '"id" is empty' } };
  if (Buffer.byteLength(key) > maxIdBytes) {
    return { invalid: { line, reason: `"id" is longer than ${maxIdBytes} bytes` } };
  }
  return { item: { line, id: key, metadata } };
}

/**
 * @example
 * for await (const { items, invalid } of readItemLines(createReadStream('items.jsonl.gz'))) {
 *   for (const item of items) store.put(item.id, item.metadata);
 *   for (const bad of invalid) console.error(`line ${bad.line}: ${bad.reason}`);
 * }
 */
export async function* readItemLines(
  source: AsyncIterable<Buffer | string>,
  options: ReadOptions = {},
): AsyncGenerator<LineBatch> {
  const maxLineLength = options.maxLineLength ?? 4 * 1024 * 1024;
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let overlong = false;
  let lineNumber = 0;

  const take = (text: string, batch: LineBatch) => {
    lineNumber++;
    if (overlong) {
      overlong = false;
      batch.invalid.push({ line: lineNumber, reason: `line longer than ${maxLineLength} characters` });
      return;
    }
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (trimmed.trim() === '') return;
    if (trimmed.length > maxLineLength) {
      batch.invalid.push({ line: lineNumber, reason: `line longer than ${maxLineLength} characters` });
      return;
    }
    const parsed = parseItemLine(trimmed, lineNumber, options.maxIdBytes);
    if ('item' in parsed) batch.items.push(parsed.item);
    else batch.invalid.push(parsed.invalid);
  };

  for await (const chunk of decompressed(source)) {
    const text = pending + decoder.write(chunk);
    const batch: LineBatch = { items: [], invalid: [] };
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      take(text.slice(start, end), batch);
      start = end + 1;
    }
    pending = text.slice(start);
    if (pending.length > maxLineLength) {
      // Drop the oversized line's text as it streams in; the line is reported when its end arrives.
      overlong = true;
      pending = '';
    }
    if (batch.items.length > 0 || batch.invalid.length > 0) yield batch;
  }
  const rest = pending + decoder.end();
  if (rest.length > 0 || overlong) {
    const batch: LineBatch = { items: [], invalid: [] };
    take(rest, batch);
    if (batch.items.length > 0 || batch.invalid.length > 0) yield batch;
  }
}
