/**
 * Reading the JSON-lines records the event targets write (exposures, events, conversions) for a
 * readout. Only the fields a readout uses are checked; a line that is not JSON, not an object, of an
 * unknown kind or missing a field is reported by number and reason and left out, and the rest still
 * count. Timestamps become epoch milliseconds.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import * as z from 'zod';

const nonEmpty = z.string().min(1);
const isoTime = z.string().refine((s) => Number.isFinite(Date.parse(s)), { error: 'must be an ISO-8601 date-time' });

const exposureSchema = z.object({
  kind: z.literal('exposure'),
  namespace: nonEmpty,
  action: nonEmpty,
  recommender: nonEmpty,
  feature: nonEmpty,
  variation: nonEmpty,
  userId: nonEmpty,
  recommendationId: nonEmpty.optional(),
  itemIds: z.array(z.string()).optional(),
  timestamp: isoTime,
});

const eventSchema = z.object({
  kind: z.literal('event'),
  namespace: nonEmpty,
  userId: nonEmpty.optional(),
  eventType: nonEmpty,
  itemId: nonEmpty.optional(),
  eventValue: z.number().optional(),
  recommendationId: nonEmpty.optional(),
  sentAt: isoTime,
});

const conversionSchema = z.object({
  kind: z.literal('conversion'),
  namespace: nonEmpty,
  action: nonEmpty,
  recommender: nonEmpty,
  feature: nonEmpty,
  metric: nonEmpty,
  value: z.number(),
  userId: nonEmpty,
  timestamp: isoTime,
});

const recordSchema = z.discriminatedUnion('kind', [exposureSchema, eventSchema, conversionSchema]);

type WithTime<T> = Omit<T, 'timestamp' | 'sentAt'> & { at: number };
export type ExposureIn = WithTime<z.infer<typeof exposureSchema>>;
export type EventIn = WithTime<z.infer<typeof eventSchema>>;
export type ConversionIn = WithTime<z.infer<typeof conversionSchema>>;
export type RecordIn = ExposureIn | EventIn | ConversionIn;

export interface MalformedLine {
  /** 1-based line number in its file. */
  line: number;
  reason: string;
  file?: string;
}

export interface ParsedRecords {
  records: RecordIn[];
  malformed: MalformedLine[];
}

/** One line: a record, a reason it is malformed, or undefined for a blank line. */
export function parseRecordLine(text: string): RecordIn | string | undefined {
  if (text.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return 'is not a JSON object';
  const kind = (json as { kind?: unknown }).kind;
  // User records (Personalize PutUsers) share the event files but say nothing about experiments.
  if (kind === 'user') return undefined;
  if (kind !== 'exposure' && kind !== 'event' && kind !== 'conversion') {
    return `kind: must be exposure, event or conversion, not ${JSON.stringify(kind ?? null)}`;
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const value = issue.path.reduce<unknown>((node, key) => (node as Record<PropertyKey, unknown>)?.[key], json);
    return `${issue.path.join('.') || 'record'}: ${value === undefined ? 'is required' : issue.message}`;
  }
  const { timestamp, sentAt, ...rest } = parsed.data as typeof parsed.data & { timestamp?: string; sentAt?: string };
  return { ...rest, at: Date.parse((timestamp ?? sentAt)!) } as RecordIn;
}

/** Parses JSON-lines text (a fixture, an object's body). */
export function parseRecords(text: string, file?: string): ParsedRecords {
  const out: ParsedRecords = { records: [], malformed: [] };
  text.split('\n').forEach((line, i) => {
    collect(out, line, i + 1, file);
  });
  return out;
}

function collect(out: ParsedRecords, line: string, number: number, file: string | undefined): void {
  const result = parseRecordLine(line);
  if (typeof result === 'string') out.malformed.push({ line: number, reason: result, ...(file ? { file } : {}) });
  else if (result) out.records.push(result);
}

/**
 * Streams JSON-lines files (bounded memory per line); a missing file reads as empty and is reported.
 *
 * @example
 * const { records, malformed } = await readRecordFiles(['data/events.jsonl']);
 */
export async function readRecordFiles(
  files: readonly string[],
  options: { maxBytesPerFile?: number } = {},
): Promise<ParsedRecords & { missing: string[] }> {
  const out: ParsedRecords & { missing: string[] } = { records: [], malformed: [], missing: [] };
  const { maxBytesPerFile } = options;
  for (const file of files) {
    if (maxBytesPerFile === 0) continue;
    const stream = createReadStream(file, {
      encoding: 'utf8',
      ...(maxBytesPerFile === undefined ? {} : { end: maxBytesPerFile - 1 }),
    });
    try {
      let number = 0;
      for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
        number += 1;
        collect(out, line, number, file);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') out.missing.push(file);
      else throw err;
    } finally {
      stream.destroy();
    }
  }
  return out;
}

/** `events.jsonl:12: is not valid JSON` lines for a report. */
export const describeMalformed = (m: MalformedLine): string =>
  `${m.file ? `${m.file}:` : 'line '}${m.line}: ${m.reason}`;
