/**
 * Reading a run's files back: the local commit reads the compact signatures file the pipeline wrote
 * beside the output, the delivery (and the cloud commit) the whole output records.
 */
import type { OutputRecord } from './destinations/types.ts';
import { JobInputError } from './errors.ts';
import { readLines } from './lines.ts';
import { SIGNATURE_LENGTH } from './sync-state.ts';

/** `[userId, signature]` of each line of a signatures file (`<22-character signature>"<userId>"`), in batches. */
export async function* readSignatures(
  source: AsyncIterable<Buffer | string>,
  file: string,
): AsyncGenerator<Array<[string, string]>> {
  for await (const { first, lines } of readLines(source, file)) {
    const batch: Array<[string, string]> = [];
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i] as string;
      if (text === '') continue;
      try {
        batch.push([JSON.parse(text.slice(SIGNATURE_LENGTH)) as string, text.slice(0, SIGNATURE_LENGTH)]);
      } catch {
        throw new JobInputError(file, first + i, 'not a signature line');
      }
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
