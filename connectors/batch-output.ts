/**
 * One line of Amazon Personalize batch inference output:
 * `{"input": {"userId"|"itemId": …}, "output": {"recommendedItems": [...], "scores"?: [...]}, "error"?: "…"}`.
 * A line the job could not answer (an `error`, or no recommended items) becomes an error record that is
 * counted and, when configured, saved; a line that is not a record at all stops the run.
 */
import { JobInputError } from './errors.ts';
import type { JobType } from './job-config.ts';

export interface Recommendation {
  /** `input.userId` (user personalization) or `input.itemId` (related items). */
  key: string;
  items: string[];
  scores: number[] | undefined;
}

export interface FailedRecord {
  /** The line as the batch job wrote it. */
  raw: string;
  reason: string;
}

export type ParsedLine = { ok: Recommendation } | { failed: FailedRecord } | undefined;

const INPUT_KEY: Record<JobType, 'userId' | 'itemId'> = {
  user_personalization: 'userId',
  related_items: 'itemId',
};

function isId(value: unknown): value is string | number {
  return (typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * @example
 * parseBatchLine('{"input":{"userId":"7"},"output":{"recommendedItems":["a","b"]}}', 'user_personalization', 'p.out', 1)
 * // { ok: { key: '7', items: ['a', 'b'], scores: undefined } }
 * @returns undefined for a blank line.
 * @throws JobInputError naming file and line for a line that is not a batch inference record.
 */
export function parseBatchLine(text: string, jobType: JobType, file: string, line: number): ParsedLine {
  const trimmed = text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
  if (trimmed.length === 0) return undefined;
  let value: {
    input?: Record<string, unknown>;
    output?: { recommendedItems?: unknown; scores?: unknown };
    error?: unknown;
  };
  try {
    value = JSON.parse(trimmed);
  } catch (err) {
    if (trimmed.trim() === '') return undefined;
    throw new JobInputError(file, line, `not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JobInputError(file, line, 'not a JSON object');
  }
  const input = value.input;
  if (typeof input !== 'object' || input === null) throw new JobInputError(file, line, 'missing "input" object');
  const field = INPUT_KEY[jobType];
  const key = input[field];
  if (!isId(key)) throw new JobInputError(file, line, `"input.${field}" is missing or empty (${jobType} job)`);
  if (value.error !== undefined && value.error !== null && value.error !== '') {
    return { failed: { raw: trimmed, reason: String(value.error) } };
  }
  const items = value.output?.recommendedItems;
  if (items === undefined || items === null) return { failed: { raw: trimmed, reason: 'no output.recommendedItems' } };
  if (!Array.isArray(items))
    throw new JobInputError(file, line, '"output.recommendedItems" must be an array of item IDs');
  let allStrings = true;
  for (const item of items) {
    if (typeof item === 'string' && item.length > 0) continue;
    if (!isId(item)) throw new JobInputError(file, line, '"output.recommendedItems" must be an array of item IDs');
    allStrings = false;
  }
  if (items.length === 0) return { failed: { raw: trimmed, reason: 'output.recommendedItems is empty' } };
  const scores = value.output?.scores;
  const validScores =
    Array.isArray(scores) && scores.length === items.length && scores.every((s) => typeof s === 'number');
  return {
    ok: {
      key: String(key),
      items: allStrings ? (items as string[]) : items.map(String),
      scores: validScores ? (scores as number[]) : undefined,
    },
  };
}
