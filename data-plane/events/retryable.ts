/**
 * Which delivery failures are worth another attempt: throttling, server-side (5xx) failures, timeouts
 * and dropped connections. Read from what the AWS SDK v3 puts on its errors (`$retryable`,
 * `$metadata.httpStatusCode`, the exception name) and from Node's network error codes, so any
 * target's error is classified the same way.
 */

import type { EventBatch } from './records.ts';

const RETRYABLE_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalServerError',
  'InternalServerException',
  'InternalFailureException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

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
  if (typeof err !== 'object' || err === null) return false;
  if (err instanceof PartialDeliveryError) return err.retryable;
  const e = err as { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; name?: unknown; code?: unknown };
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status === 429 || status >= 500)) return true;
  if (typeof e.name === 'string' && RETRYABLE_NAMES.has(e.name)) return true;
  return typeof e.code === 'string' && RETRYABLE_CODES.has(e.code);
}
