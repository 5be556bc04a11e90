/**
 * Reads a text file (plain or gzip) as batches of lines, pulling chunks only as fast as the caller
 * consumes them, so memory is bounded by the chunk size and the longest line, never by the file size.
 * Batches (one per input chunk) rather than single lines keep the per-line cost of the async iteration
 * out of the hot path.
 */
import { StringDecoder } from 'node:string_decoder';
import { decompressed } from '../contracts/item-metadata/json-lines.ts';
import { JobInputError } from './errors.ts';

export interface LineBatch {
  /** 1-based number of the first line of `lines` in the file. */
  first: number;
  lines: string[];
}

/** Longest line accepted (4 MiB): a batch-inference record is far shorter. */
export const MAX_LINE_LENGTH = 4 * 1024 * 1024;

/**
 * @example
 * for await (const { first, lines } of readLines(createReadStream('part-0.out.gz'), 'part-0.out.gz')) {
 *   lines.forEach((text, i) => handle(text, first + i));
 * }
 * @throws JobInputError naming the file and line when a line is longer than MAX_LINE_LENGTH.
 */
export async function* readLines(source: AsyncIterable<Buffer | string>, file: string): AsyncGenerator<LineBatch> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let next = 1;
  for await (const chunk of decompressed(source)) {
    const text = pending + decoder.write(chunk);
    const lines = text.split('\n');
    pending = lines.pop() ?? '';
    if (pending.length > MAX_LINE_LENGTH) {
      throw new JobInputError(file, next + lines.length, `line longer than ${MAX_LINE_LENGTH} characters`);
    }
    if (lines.length === 0) continue;
    const first = next;
    next += lines.length;
    yield { first, lines };
  }
  const rest = pending + decoder.end();
  if (rest.length > 0) yield { first: next, lines: [rest] };
}
