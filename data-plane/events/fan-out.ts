/**
 * Delivers one batch to every target of a namespace at once and reports, per target, whether it got
 * there. Retryable failures (see retryable.ts) are tried again with capped exponential backoff; when
 * a target delivered part of a batch, only the rest is sent again. Nothing is swallowed: every final
 * failure is logged with its cause and comes back as an outcome the caller must act on.
 */
import { describeError, type Logger } from '../../shared/logger.ts';
import type { EventBatch } from './records.ts';
import { isRetryable, PartialDeliveryError } from './retryable.ts';
import type { EventTarget } from './targets/types.ts';

export interface TargetOutcome {
  target: string;
  ok: boolean;
  /** The error's name (e.g. `ResourceNotFoundException`) when the target failed; details are logged. */
  error?: string;
}

export interface FanOutOptions {
  logger: Logger;
  /** Attempts per target, the first included (default 3). */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles each time (default 50 ms). */
  baseDelayMs?: number;
  /** Cap on one delay (default 1,000 ms). */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** [0, 1); spreads the delays of clients retrying together (default Math.random). */
  random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function deliver(target: EventTarget, batch: EventBatch, options: FanOutOptions): Promise<TargetOutcome> {
  const maxAttempts = options.maxAttempts ?? 3;
  const base = options.baseDelayMs ?? 50;
  const cap = options.maxDelayMs ?? 1_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  let pending = batch;
  for (let attempt = 1; ; attempt++) {
    try {
      await target.send(pending);
      return { target: target.name, ok: true };
    } catch (err) {
      if (attempt < maxAttempts && isRetryable(err)) {
        if (err instanceof PartialDeliveryError) pending = err.remaining;
        const delay = Math.min(cap, base * 2 ** (attempt - 1));
        await sleep(delay / 2 + (delay / 2) * random());
        continue;
      }
      options.logger.error('event target failed', {
        target: target.name,
        namespace: batch.namespace,
        attempts: attempt,
        records: pending.records.length,
        error: describeError(err),
      });
      return { target: target.name, ok: false, error: err instanceof Error ? err.name : 'Error' };
    }
  }
}

/**
 * @example
 * const outcomes = await fanOut(targets, batch, { logger });
 * if (outcomes.some((o) => !o.ok)) // answer 502 naming the failed targets
 */
export function fanOut(
  targets: readonly EventTarget[],
  batch: EventBatch,
  options: FanOutOptions,
): Promise<TargetOutcome[]> {
  return Promise.all(targets.map((target) => deliver(target, batch, options)));
}
