/**
 * Streams an Amazon Personalize interactions file (CSV with a header naming USER_ID, ITEM_ID,
 * TIMESTAMP and optionally EVENT_TYPE, in any order, beside any other columns) so the embedded
 * recommender can train from files far larger than it would want to hold as text. A bad line is
 * reported with its line number and skipped; only a file without a usable header is an error.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface Interaction {
  userId: string;
  itemId: string;
  /** Epoch seconds. */
  timestamp: number;
  eventType?: string;
}

export interface SkippedLine {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  reason: string;
}

/** The file cannot be used at all (unreadable, empty, or its header lacks a required column). */
export class InteractionsFileError extends Error {
  override name = 'InteractionsFileError';
}

const REQUIRED = ['USER_ID', 'ITEM_ID', 'TIMESTAMP'] as const;
const NUMBER = /^\d+(\.\d+)?$/;

/** Splits one CSV line; double quotes may wrap a field and `""` is a quote inside one. Null if a quote is left open. */
export function splitCsvLine(line: string): string[] | null {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (line[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) return null;
  fields.push(field);
  return fields;
}

/**
 * Yields the interactions of a CSV file or stream in file order.
 *
 * @example
 * for await (const row of readInteractionsCsv('interactions.csv', (s) => console.warn(s.line, s.reason))) {
 *   model.learn([row]);
 * }
 */
export async function* readInteractionsCsv(
  input: string | Readable,
  onSkipped: (skipped: SkippedLine) => void = () => {},
): AsyncGenerator<Interaction> {
  const stream = typeof input === 'string' ? createReadStream(input, { encoding: 'utf8' }) : input;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let columns: { user: number; item: number; timestamp: number; eventType: number; count: number } | undefined;
  try {
    for await (const raw of lines) {
      lineNumber++;
      const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (!columns) {
        const header = (splitCsvLine(line) ?? []).map((h) => h.trim().toUpperCase());
        const missing = REQUIRED.filter((name) => !header.includes(name));
        if (missing.length > 0) {
          throw new InteractionsFileError(
            `the header (line 1) must name ${REQUIRED.join(', ')}; missing ${missing.join(', ')}`,
          );
        }
        columns = {
          user: header.indexOf('USER_ID'),
          item: header.indexOf('ITEM_ID'),
          timestamp: header.indexOf('TIMESTAMP'),
          eventType: header.indexOf('EVENT_TYPE'),
          count: header.length,
        };
        continue;
      }
      if (line.trim() === '') continue;
      const fields = splitCsvLine(line);
      if (!fields) {
        onSkipped({ line: lineNumber, reason: 'unterminated quoted field' });
        continue;
      }
      if (fields.length > columns.count) {
        onSkipped({ line: lineNumber, reason: `${fields.length} fields but the header has ${columns.count}` });
        continue;
      }
      const userId = fields[columns.user]?.trim() ?? '';
      const itemId = fields[columns.item]?.trim() ?? '';
      const timestamp = fields[columns.timestamp]?.trim() ?? '';
      if (!userId || !itemId) {
        onSkipped({ line: lineNumber, reason: userId ? 'ITEM_ID is empty' : 'USER_ID is empty' });
        continue;
      }
      if (!NUMBER.test(timestamp)) {
        onSkipped({ line: lineNumber, reason: `TIMESTAMP '${timestamp}' is not a number of seconds` });
        continue;
      }
      const eventType = columns.eventType >= 0 ? fields[columns.eventType]?.trim() : undefined;
      yield { userId, itemId, timestamp: Number(timestamp), ...(eventType ? { eventType } : {}) };
    }
  } catch (err) {
    if (err instanceof InteractionsFileError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new InteractionsFileError(`cannot read interactions: ${reason}`, { cause: err });
  } finally {
    lines.close();
    stream.destroy();
  }
  if (!columns) throw new InteractionsFileError('the interactions file is empty (no header line)');
}
