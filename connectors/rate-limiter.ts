/**
 * A client-side request limiter: at most `limit` requests start in any window of `windowMs`, and a
 * destination's "slow down until T" answer (a 429 with a reset time) pauses every caller until T. The
 * clock and the sleep are injectable so tests run without waiting.
 */

export interface RateLimiter {
  /** Resolves when one more request may start. */
  acquire(): Promise<void>;
  /** No request starts before `epochMs`. */
  pauseUntil(epochMs: number): void;
}

export interface RateLimiterOptions {
  limit: number;
  windowMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * @example
 * const limiter = createRateLimiter({ limit: 2_700, windowMs: 3_000 }); // under Braze's 3,000 per 3 s
 * await limiter.acquire();
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepMs;
  // Start times of the last `limit` requests, oldest first, as a ring buffer.
  const starts = new Array<number>(options.limit).fill(Number.NEGATIVE_INFINITY);
  let head = 0;
  let pausedUntil = 0;
  let queue: Promise<void> = Promise.resolve();

  const take = async () => {
    for (;;) {
      const t = now();
      const wait = Math.max(pausedUntil - t, (starts[head] ?? 0) + options.windowMs - t);
      if (wait <= 0) break;
      await sleep(wait);
    }
    starts[head] = now();
    head = (head + 1) % options.limit;
  };

  return {
    acquire() {
      // Callers are served in arrival order, one slot at a time.
      const turn = queue.then(take);
      queue = turn.catch(() => undefined);
      return turn;
    },
    pauseUntil(epochMs) {
      pausedUntil = Math.max(pausedUntil, epochMs);
    },
  };
}
