/**
 * Query-string parsing for the inference routes. Every problem is a 400 whose message starts with the
 * parameter's name; unknown parameters are ignored (clients add cache busters).
 */
import * as z from 'zod';
import { BadRequestError } from '../errors.ts';

export interface InferenceQuery {
  numResults: number;
  filter?: string;
  filterValues?: Record<string, string>;
  context?: Record<string, string>;
  decorateItems: boolean;
  syntheticUser: boolean;
  feature?: string;
  /** related-items only. */
  userId?: string;
}

const TRUE = new Set(['1', 'yes', 'true']);

/** `1`, `yes`, `true` (any case) are true; any other value is false; absent is `absent`. */
export function parseFlag(value: string | undefined, absent: boolean): boolean {
  return value === undefined ? absent : TRUE.has(value.trim().toLowerCase());
}

const stringMap = (name: string) =>
  z
    .string()
    .max(8192, { error: `${name} is longer than 8192 characters` })
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `${name} must be a JSON object of strings, e.g. {"key":"value"}` });
        return z.NEVER;
      }
    })
    .pipe(
      z.record(z.string().min(1).max(256), z.string().max(1000), {
        error: `${name} must be a JSON object whose values are strings`,
      }),
    );

/** Built once per distinct `maxNumResults`: building a zod schema costs far more than running it. */
const schemas = new Map<number, ReturnType<typeof buildQuerySchema>>();

function querySchema(maxNumResults: number) {
  let schema = schemas.get(maxNumResults);
  if (!schema) {
    schema = buildQuerySchema(maxNumResults);
    schemas.set(maxNumResults, schema);
  }
  return schema;
}

function buildQuerySchema(maxNumResults: number) {
  return z.object({
    numResults: z
      .string()
      .regex(/^\s*\d{1,6}\s*$/, { error: `numResults must be a whole number from 1 to ${maxNumResults}` })
      .transform(Number)
      .pipe(
        z
          .number()
          .min(1, { error: `numResults must be a whole number from 1 to ${maxNumResults}` })
          .max(maxNumResults, { error: `numResults must be a whole number from 1 to ${maxNumResults}` }),
      )
      .optional(),
    filter: z
      .string()
      .min(1, { error: 'filter must not be empty' })
      .max(2048, { error: 'filter is longer than 2048 characters' })
      .regex(/^[\w:/.-]+$/, { error: 'filter must be a filter name or ARN' })
      .optional(),
    filterValues: stringMap('filterValues').optional(),
    context: stringMap('context').optional(),
    feature: z
      .string()
      .regex(/^[-a-zA-Z0-9._]{1,128}$/, { error: 'feature must be an experiment feature name' })
      .optional(),
    userId: z
      .string()
      .min(1, { error: 'userId must not be empty' })
      .max(256, { error: 'userId is longer than 256 characters' })
      .optional(),
    decorateItems: z.string().optional(),
    syntheticUser: z.string().optional(),
  });
}

/**
 * @example
 * parseInferenceQuery({ numResults: '10', decorateItems: 'no' }, { defaultNumResults: 25, maxNumResults: 500 })
 * // → { numResults: 10, decorateItems: false, syntheticUser: false }
 */
export function parseInferenceQuery(
  raw: Record<string, string | undefined>,
  limits: { defaultNumResults: number; maxNumResults: number },
): InferenceQuery {
  const parsed = querySchema(limits.maxNumResults).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = String(issue.path[0] ?? 'query');
    const message = issue.message.startsWith(param) ? issue.message : `${param}: ${issue.message}`;
    throw new BadRequestError('InvalidParameter', message);
  }
  const q = parsed.data;
  return {
    numResults: q.numResults ?? Math.min(limits.defaultNumResults, limits.maxNumResults),
    filter: q.filter,
    filterValues: q.filterValues,
    context: q.context,
    feature: q.feature,
    userId: q.userId,
    decorateItems: parseFlag(q.decorateItems, true),
    syntheticUser: parseFlag(q.syntheticUser, false),
  };
}
