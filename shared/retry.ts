/**
 * Capped exponential backoff for the work DynamoDB hands back unfinished (UnprocessedKeys,
 * UnprocessedItems). The SDK already retries failed calls; this covers partial successes, which it
 * does not. `sleep` is injectable so tests run without waiting.
 */

export interface RetryPolicy {
  /** Calls in total for one batch, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep(ms: number): Promise<void>;
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const DEFAULT_READ_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 20,
  maxDelayMs: 400,
  sleep: defaultSleep,
};
export const DEFAULT_WRITE_RETRY: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 50,
  maxDelayMs: 5_000,
  sleep: defaultSleep,
};

/**
 * Delay before retry number `retry` (0 for the first retry): base·2^retry, capped.
 *
 * @example
 * backoffDelay(3, { baseDelayMs: 20, maxDelayMs: 400 }) // 160
 */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
}

/** AWS error names that mean "slow down" once the SDK's own retries are spent. */
const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'Throttling',
]);

export function isThrottling(err: unknown): boolean {
  return err instanceof Error && THROTTLING.has(err.name);
}
