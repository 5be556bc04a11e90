/**
 * Turns a failed configuration validation into one `ValidationFailed` error listing every problem as
 * `path: reason`, the form AppConfig shows a user whose deployment was rejected.
 */
import type { ValidationIssue } from '../schema/validate-config.ts';
import { ValidationFailed } from './errors.ts';

/** Most problems listed in one message; AppConfig truncates long validator messages. */
const MAX_LISTED = 20;

export function validationFailed(errors: ValidationIssue[], subject = 'configuration'): ValidationFailed {
  const listed = errors.slice(0, MAX_LISTED).map((e) => `${e.path}: ${e.message}`);
  const more = errors.length > MAX_LISTED ? [`… and ${errors.length - MAX_LISTED} more`] : [];
  const count = `${errors.length} problem${errors.length === 1 ? '' : 's'}`;
  return new ValidationFailed(`${subject} is invalid (${count}): ${[...listed, ...more].join('; ')}`);
}
