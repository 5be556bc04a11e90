/**
 * The one classification of what an AWS call (or any remote call) threw, read from what the AWS SDK v3
 * puts on its errors (`$retryable`, `$metadata.httpStatusCode`, the exception name) and from Node's
 * network error codes. Every caller — origins, item-metadata stores, event targets, circuit breakers —
 * asks here, so one error is never throttling to one part and a client fault to another.
 *
 * - `throttled`: the service asks us to slow down (429, throttling names); worth a later attempt.
 * - `retryable`: a server-side or transport failure (5xx, timeouts, dropped connections).
 * - `clientFault`: the request itself is wrong (other 4xx); another attempt fails the same way, and a
 *   circuit breaker must not count it against the service.
 * - `unknown`: not recognisably either (a bug, an unexpected value); treated as a failure, not retried.
 */

export type AwsErrorClass = 'throttled' | 'retryable' | 'clientFault' | 'unknown';

const THROTTLED_NAMES = new Set([
  'ThrottlingException',
  'ThrottledException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

const RETRYABLE_NAMES = new Set([
  'ServiceUnavailableException',
  'ServiceUnavailable',
  'InternalFailure',
  'InternalException',
  'InternalServerError',
  'InternalServerException',
  'InternalFailureException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);

const RETRYABLE_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
  $fault?: unknown;
}

/**
 * @example
 * classifyAwsError(Object.assign(new Error('slow down'), { name: 'ThrottlingException' })); // 'throttled'
 * classifyAwsError({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });     // 'clientFault'
 */
export function classifyAwsError(err: unknown): AwsErrorClass {
  if (typeof err !== 'object' || err === null) return 'unknown';
  const e = err as SdkLikeError;
  const name = typeof e.name === 'string' ? e.name : undefined;
  const status = e.$metadata?.httpStatusCode;
  if ((name && THROTTLED_NAMES.has(name)) || status === 429 || e.$retryable?.throttling === true) return 'throttled';
  if (e.$retryable || (status !== undefined && status >= 500) || (name && RETRYABLE_NAMES.has(name))) {
    return 'retryable';
  }
  if (typeof e.code === 'string' && RETRYABLE_NETWORK_CODES.has(e.code)) return 'retryable';
  if ((status !== undefined && status >= 400 && status < 500) || e.$fault === 'client') return 'clientFault';
  return 'unknown';
}

/** The service asked us to slow down. */
export const isThrottled = (err: unknown): boolean => classifyAwsError(err) === 'throttled';

/** Worth another attempt: throttling or a server-side or transport failure. */
export function isRetryableAwsError(err: unknown): boolean {
  const kind = classifyAwsError(err);
  return kind === 'throttled' || kind === 'retryable';
}
