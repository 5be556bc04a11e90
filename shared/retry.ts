/**
 * Capped exponential backoff with jitter, the one retry timing of the project: DynamoDB's unfinished
 * work (UnprocessedKeys, UnprocessedItems — the SDK retries failed calls, not partial successes) and
 * event delivery to targets. `sleep` and `random` are injectable so tests run without waiting.
 */

export interface RetryPolicy {
  /** Calls in total, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep(ms: number): Promise<void>;
  /** [0, 1); spreads the delays of clients retrying together. */
  random(): number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const DEFAULT_READ_RETRY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 20,
  maxDelayMs: 400,
  sleep: defaultSleep,
  random: Math.random,
};
export const DEFAULT_WRITE_RETRY: RetryPolicy = {
  maxAttempts: 10,
  baseDelayMs: 50,
  maxDelayMs: 5_000,
  sleep: defaultSleep,
  random: Math.random,
};
export const DEFAULT_DELIVERY_RETRY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 50,
  maxDelayMs: 1_000,
  sleep: defaultSleep,
  random: Math.random,
};

/**
 * Delay before retry number `retry` (0 for the first retry): base·2^retry capped, then "equal jitter"
 * (half of it fixed, half random) so concurrent clients spread out but never retry at once.
 *
 * @example
 * backoffDelay(3, { baseDelayMs: 20, maxDelayMs: 400, random: () => 1 }) // 160
 */
export function backoffDelay(
  retry: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return delay / 2 + (delay / 2) * policy.random();
}
