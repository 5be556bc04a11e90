/**
 * Which delivery failures are worth another attempt: a partial delivery says so itself; anything else
 * is classified by shared/aws-errors.ts (throttling, server-side failures, timeouts, dropped connections).
 */
import { isRetryableAwsError } from '../../shared/aws-errors.ts';

import type { EventBatch } from './records.ts';

/** Marks a failure of part of a batch: only `remaining` needs another attempt. */
export class PartialDeliveryError extends Error {
  override name = 'PartialDeliveryError';
  constructor(
    message: string,
    /** The records that were not delivered. */
    readonly remaining: EventBatch,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/**
 * @example
 * isRetryable(Object.assign(new Error('slow down'), { name: 'ThrottlingException' })); // → true
 */
export function isRetryable(err: unknown): boolean {
  return err instanceof PartialDeliveryError ? err.retryable : isRetryableAwsError(err);
}
