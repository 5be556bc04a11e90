/**
 * Reading a connector's output back: the commit step needs only each line's user and signature (read
 * from the fixed line prefix the pipeline writes, without parsing the record), the delivery needs the
 * whole records.
 */
import type { OutputRecord } from './destinations/types.ts';
import { JobInputError } from './errors.ts';
import { readLines } from './lines.ts';

const PREFIX = '{"userId":';
const SIGNATURE = ',"signature":"';

/** `[userId, signature]` of each output line, in batches. */
export async function* readSignatures(
  source: AsyncIterable<Buffer | string>,
  file: string,
): AsyncGenerator<Array<[string, string]>> {
  for await (const { first, lines } of readLines(source, file)) {
    const batch: Array<[string, string]> = [];
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i] as string;
      if (text === '') continue;
      const at = text.indexOf(SIGNATURE, PREFIX.length);
      const end = at < 0 ? -1 : text.indexOf('"', at + SIGNATURE.length);
      if (!text.startsWith(PREFIX) || end < 0) throw new JobInputError(file, first + i, 'not a connector output line');
      batch.push([JSON.parse(text.slice(PREFIX.length, at)) as string, text.slice(at + SIGNATURE.length, end)]);
    }
    if (batch.length > 0) yield batch;
  }
}

/** Whole output records, in batches of about `size`. */
export async function* readOutputRecords(
  source: AsyncIterable<Buffer | string>,
  file: string,
  size: number,
): AsyncGenerator<OutputRecord[]> {
  let batch: OutputRecord[] = [];
  for await (const { first, lines } of readLines(source, file)) {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i] as string;
      if (text === '') continue;
      try {
        batch.push(JSON.parse(text) as OutputRecord);
      } catch (err) {
        throw new JobInputError(file, first + i, `not valid JSON: ${(err as Error).message}`);
      }
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
