/**
 * The inference routes' query string: its zod schema and the list of parameters derived from the
 * schema's keys. Every parameter changes the response, so the list is what every cache key holds —
 * the data plane's response cache, CloudFront and the API Gateway stage cache (control plane and CDK).
 * Adding a parameter here adds it to all of them.
 */
import * as z from 'zod';
import type { Action } from '../schema/config-schema.ts';

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

export function querySchema(maxNumResults: number) {
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
    decorateItems: z.string().optional(),
    syntheticUser: z.string().optional(),
    feature: z
      .string()
      .regex(/^[-a-zA-Z0-9._]{1,128}$/, { error: 'feature must be an experiment feature name' })
      .optional(),
    userId: z
      .string()
      .min(1, { error: 'userId must not be empty' })
      .max(256, { error: 'userId is longer than 256 characters' })
      .optional(),
  });
}

/** Every query parameter of the inference routes, in schema order. */
export const INFERENCE_QUERY_PARAMETERS = Object.keys(buildQuerySchema(1).shape) as Array<
  keyof ReturnType<typeof buildQuerySchema>['shape']
>;

/** The query parameters an action reads: `userId` is a query parameter of related-items only. */
export function queryParametersOf(action: Action): string[] {
  return action === 'related-items'
    ? INFERENCE_QUERY_PARAMETERS
    : INFERENCE_QUERY_PARAMETERS.filter((p) => p !== 'userId');
}
