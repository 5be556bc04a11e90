/**
 * Parses a Lambda event or environment with a zod schema, turning failures into an `InvalidInput`
 * error whose message names every offending field.
 */
import type * as z from 'zod';
import { formatPath } from '../schema/validate-config.ts';
import { InvalidInput } from './errors.ts';

/**
 * @example
 * const env = parseInput(envSchema, process.env, 'environment');
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
  throw new InvalidInput(`invalid ${what}: ${problems.join('; ')}`, { cause: parsed.error });
}
