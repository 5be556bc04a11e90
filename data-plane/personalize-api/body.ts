/**
 * Request bodies of the compatible operations: JSON objects validated with zod, every problem an
 * `InvalidInputException` naming the field, as Personalize does. Limits follow the service's own, except
 * where lifting them is the point (`metadataColumns` takes any number of columns).
 */
import type * as z from 'zod';
import { fieldPath } from '../events/body.ts';
import { invalidInput } from './errors.ts';

/** Parses `text` as JSON and validates it; throws InvalidInputException naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, text: string): z.output<S> {
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    throw invalidInput('the request body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    throw invalidInput(`${fieldPath(path)}: ${issue.message}`);
  }
  return parsed.data;
}
