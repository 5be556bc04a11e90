/**
 * The HTTP side every destination shares: POST with a deadline per attempt, a client-side rate limit,
 * 429 answers waited out using the destination's reset headers (`X-RateLimit-Reset` epoch seconds,
 * else `Retry-After`), and 5xx, timeouts and network errors retried with capped exponential backoff.
 * Any other answer (2xx, 4xx) goes back to the destination, which knows what it means.
 */
import { backoffDelay } from '../../shared/retry.ts';
import { ConnectorError } from '../errors.ts';
import { type RateLimiter, sleepMs } from '../rate-limiter.ts';

/** The destination stayed unavailable (5xx, 429, timeouts) through every attempt; try the records later. */
export class DeliveryUnavailableError extends ConnectorError {
  override name = 'DeliveryUnavailableError';
}

export interface HttpPolicy {
  limiter: RateLimiter;
  fetch?: typeof fetch;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Attempts in total (default 6). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest wait honoured from a reset header (default 60 s). */
  maxResetWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

/** Milliseconds to wait after a 429, from the reset headers, or undefined when they say nothing usable. */
export function resetDelay(headers: Headers, now: number): number | undefined {
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  return undefined;
}

/**
 * @example
 * const answer = await postWithRetries('https://rest.iad-01.braze.com/users/track', body, headers, { limiter });
 * // { status: 201, text: '{"message":"success"}' }
 * @throws DeliveryUnavailableError when every attempt met a 429, a 5xx, a timeout or a network error.
 */
export async function postWithRetries(
  url: string,
  body: string,
  headers: () => Record<string, string>,
  policy: HttpPolicy,
): Promise<HttpAnswer> {
  const doFetch = policy.fetch ?? fetch;
  const now = policy.now ?? Date.now;
  const sleep = policy.sleep ?? sleepMs;
  const maxAttempts = policy.maxAttempts ?? 6;
  const delays = {
    baseDelayMs: policy.baseDelayMs ?? 200,
    maxDelayMs: policy.maxDelayMs ?? 10_000,
    random: Math.random,
  };
  let last = '';
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    await policy.limiter.acquire();
    let wait = backoffDelay(attempt, delays);
    try {
      const response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers() },
        body,
        signal: AbortSignal.timeout(policy.timeoutMs ?? 10_000),
      });
      const text = await response.text();
      if (response.status !== 429 && response.status < 500) return { status: response.status, text };
      last = `HTTP ${response.status}: ${text.slice(0, 200)}`;
      if (response.status === 429) {
        const reset = resetDelay(response.headers, now());
        if (reset !== undefined) {
          wait = Math.min(reset, policy.maxResetWaitMs ?? 60_000);
          policy.limiter.pauseUntil(now() + wait);
        }
      }
    } catch (err) {
      last = (err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message;
    }
    if (attempt + 1 < maxAttempts) await sleep(wait);
  }
  throw new DeliveryUnavailableError(`${new URL(url).host}: no answer after ${maxAttempts} attempts (last: ${last})`);
}
