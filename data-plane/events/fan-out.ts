/**
 * Delivers one batch to every target of a namespace at once and reports, per target, whether it got
 * there. Retryable failures (see retryable.ts) are tried again with capped, jittered exponential backoff (shared/retry.ts); when
 * a target delivered part of a batch, only the rest is sent again. Nothing is swallowed: every final
 * failure is logged with its cause and comes back as an outcome the caller must act on.
 */
import { describeError, type Logger } from '../../shared/logger.ts';
import { backoffDelay, DEFAULT_DELIVERY_RETRY, type RetryPolicy } from '../../shared/retry.ts';
import { withSignal } from '../deadline.ts';
import type { Metrics } from '../metrics.ts';
import type { EventBatch } from './records.ts';
import { isRetryable, PartialDeliveryError } from './retryable.ts';
import type { EventTarget } from './targets/types.ts';

/** The `error` of an outcome whose target was still busy when the deadline came. */
export const TIMED_OUT = 'DeadlineExceeded';

export interface TargetOutcome {
  target: string;
  ok: boolean;
  /** The error's name (e.g. `ResourceNotFoundException`) when the target failed; details are logged. */
  error?: string;
}

/** Retry timing is shared/retry.ts's (default 3 attempts, 50 ms doubling to at most 1 s, jittered). */
export interface FanOutOptions extends Partial<RetryPolicy> {
  logger: Logger;
  /** `EventTargetDelivered`, `EventTargetRetried` and `EventTargetFailed`, per target. */
  metrics?: Metrics;
  /** The request's deadline (or a background task's limit): no attempt starts or outlives it. */
  signal?: AbortSignal;
}

async function deliver(target: EventTarget, batch: EventBatch, options: FanOutOptions): Promise<TargetOutcome> {
  const { logger, metrics, signal, ...overrides } = options;
  const policy: RetryPolicy = { ...DEFAULT_DELIVERY_RETRY, ...overrides };
  let pending = batch;
  for (let attempt = 1; ; attempt++) {
    try {
      const sending = pending;
      await (signal ? withSignal(signal, (s) => target.send(sending, s)) : target.send(sending));
      metrics?.add('EventTargetDelivered', 'Count', 1, { target: target.name });
      return { target: target.name, ok: true };
    } catch (err) {
      if (signal?.aborted) {
        metrics?.add('EventTargetFailed', 'Count', 1, { target: target.name });
        logger.error('event target did not answer in time', {
          target: target.name,
          namespace: batch.namespace,
          attempts: attempt,
          records: pending.records.length,
          error: describeError(err),
        });
        return { target: target.name, ok: false, error: TIMED_OUT };
      }
      if (attempt < policy.maxAttempts && isRetryable(err)) {
        if (err instanceof PartialDeliveryError) pending = err.remaining;
        metrics?.add('EventTargetRetried', 'Count', 1, { target: target.name });
        await policy.sleep(backoffDelay(attempt - 1, policy));
        continue;
      }
      metrics?.add('EventTargetFailed', 'Count', 1, { target: target.name });
      logger.error('event target failed', {
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
