/**
 * Reading a run's files back: the local commit reads the compact signatures file the pipeline wrote
 * beside the output, the delivery (and the cloud commit) the whole output records; and removing the
 * lines of occurrences a later one replaced (run-claims.ts) before any of that.
 */
import { createReadStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import type { OutputRecord } from './destinations/types.ts';
import { JobInputError } from './errors.ts';
import { createFileSink } from './file-sink.ts';
import { readLines } from './lines.ts';
import { SIGNATURE_LENGTH } from './record-signature.ts';
import { splitOrdinal } from './run-claims.ts';

/** `[userId, signature]` of each line of a signatures file (`<16-character signature>"<userId>"`), in batches. */
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
        // The user ID is a JSON string; without an escape in it, its text is between the quotes.
        const quoted = text.slice(SIGNATURE_LENGTH);
        const user =
          quoted.indexOf('\\') === -1 && quoted.length >= 2 && quoted.endsWith('"') && quoted.startsWith('"')
            ? quoted.slice(1, -1)
            : (JSON.parse(quoted) as string);
        batch.push([user, text.slice(0, SIGNATURE_LENGTH)]);
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

/** Lines to remove from one output file: input line numbers by user (see run-claims.ts). */
export type SupersededLines = Map<string, Set<number>>;

/** Groups `[user, ordinal]` entries by the order prefix of the part file they came from. */
export function supersededByPart(entries: Iterable<readonly [string, string]>): Map<string, SupersededLines> {
  const out = new Map<string, SupersededLines>();
  for (const [user, ordinal] of entries) {
    const [order, line] = splitOrdinal(ordinal);
    const part = out.get(order) ?? new Map<string, Set<number>>();
    out.set(order, part);
    const lines = part.get(user) ?? new Set<number>();
    part.set(user, lines);
    lines.add(line);
  }
  return out;
}

export function isSuperseded(record: OutputRecord, drop: SupersededLines | undefined): boolean {
  return drop?.get(record.userId)?.has(record.line as number) ?? false;
}

/**
 * Rewrites an output file without the superseded lines (and, when given, its signatures file from the
 * lines kept). A rare path (a user twice in a run), so it simply parses every line.
 * @returns the lines removed and the bytes kept.
 */
export async function removeSupersededLines(
  output: string,
  drop: SupersededLines,
  signatures?: string,
): Promise<{ removed: number; bytes: number }> {
  const kept = createFileSink(`${output}.kept`);
  const sigs = signatures ? createFileSink(`${signatures}.kept`) : undefined;
  let removed = 0;
  try {
    for await (const { lines } of readLines(createReadStream(output), output)) {
      let text = '';
      let sigText = '';
      for (const line of lines) {
        if (line === '') continue;
        const record = JSON.parse(line) as OutputRecord;
        if (isSuperseded(record, drop)) {
          removed++;
          continue;
        }
        text += `${line}\n`;
        sigText += `${record.signature}${JSON.stringify(record.userId)}\n`;
      }
      if (text) await kept.write(text);
      if (sigText) await sigs?.write(sigText);
    }
  } finally {
    await kept.close();
    await sigs?.close();
  }
  await rename(kept.path, output);
  if (sigs && signatures) await rename(sigs.path, signatures);
  return { removed, bytes: kept.bytes };
}
