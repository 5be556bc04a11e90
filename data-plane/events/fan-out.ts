/**
 * Delivers one batch to every target of a namespace at once and reports, per target, whether it got
 * there. Retryable failures (see retryable.ts) are tried again with capped, jittered exponential backoff (shared/retry.ts); when
 * a target delivered part of a batch, only the rest is sent again. Nothing is swallowed: every final
 * failure is logged with its cause and comes back as an outcome the caller must act on.
 *
 * With `idempotency` (posted events), each target is sent only the keyed records it has not taken
 * before (see delivery-ledger.ts): its claims are committed once it took them and released when it
 * failed, so the client's retry reaches exactly the targets that failed. A target that already took
 * every keyed record is not called at all (`alreadyDelivered` counts them). When the ledger itself
 * fails, the target is sent everything (at least once, as without a ledger) and the failure logged.
 */
import { describeError, type Logger } from '../../shared/logger.ts';
import { backoffDelay, DEFAULT_DELIVERY_RETRY, type RetryPolicy } from '../../shared/retry.ts';
import { withSignal } from '../deadline.ts';
import type { Metrics } from '../metrics.ts';
import type { Claim, DeliveryLedger } from './delivery-ledger.ts';
import type { EventBatch, EventsRecord } from './records.ts';
import { isRetryable, PartialDeliveryError } from './retryable.ts';
import type { EventTarget } from './targets/types.ts';

/** The `error` of an outcome whose target was still busy when the deadline came. */
export const TIMED_OUT = 'DeadlineExceeded';
/** The `error` of an outcome some of whose records another request was delivering to the target at that moment. */
export const IN_PROGRESS = 'DeliveryInProgress';
/** Bound on the ledger writes after a delivery (they must not be cut short by a request deadline just spent). */
const LEDGER_WRITE_TIMEOUT_MS = 2000;

export interface TargetOutcome {
  target: string;
  ok: boolean;
  /** The error's name (e.g. `ResourceNotFoundException`) when the target failed; details are logged. */
  error?: string;
  /** Records this target had already taken in an earlier request, so not sent again (absent when none). */
  alreadyDelivered?: number;
}

/** Retry timing is shared/retry.ts's (default 3 attempts, 50 ms doubling to at most 1 s, jittered). */
export interface FanOutOptions extends Partial<RetryPolicy> {
  logger: Logger;
  /** `EventTargetDelivered`, `EventTargetRetried` and `EventTargetFailed`, per target. */
  metrics?: Metrics;
  /** The request's deadline (or a background task's limit): no attempt starts or outlives it. */
  signal?: AbortSignal;
  /** Each posted record's idempotency key, and the ledger of what every target took. */
  idempotency?: { keys: ReadonlyMap<EventsRecord, string>; ledger: DeliveryLedger };
}

interface Attempted {
  outcome: TargetOutcome;
  /** On failure, the records that may not have reached the target. */
  undelivered?: EventBatch;
}

async function attempt(target: EventTarget, batch: EventBatch, options: FanOutOptions): Promise<Attempted> {
  const { logger, metrics, signal } = options;
  let policy: RetryPolicy | undefined; // worked out on the first failure only
  let pending = batch;
  for (let attempt = 1; ; attempt++) {
    try {
      const sending = pending;
      await (signal ? withSignal(signal, (s) => target.send(sending, s)) : target.send(sending));
      metrics?.add('EventTargetDelivered', 'Count', 1, { target: target.name });
      return { outcome: { target: target.name, ok: true } };
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
        return { outcome: { target: target.name, ok: false, error: TIMED_OUT }, undelivered: pending };
      }
      if (!policy) {
        const {
          logger: _logger,
          metrics: _metrics,
          signal: _signal,
          idempotency: _idempotency,
          ...overrides
        } = options;
        policy = { ...DEFAULT_DELIVERY_RETRY, ...overrides };
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
      return {
        outcome: { target: target.name, ok: false, error: err instanceof Error ? err.name : 'Error' },
        undelivered: err instanceof PartialDeliveryError ? err.remaining : pending,
      };
    }
  }
}

async function deliver(
  target: EventTarget,
  batch: EventBatch,
  options: FanOutOptions,
  ledgerName: string,
): Promise<TargetOutcome> {
  const { idempotency, logger } = options;
  if (!idempotency) return (await attempt(target, batch, options)).outcome;
  const keyOf = (r: EventsRecord) => idempotency.keys.get(r);
  const keys = [...new Set(batch.records.map(keyOf).filter((k) => k !== undefined))];
  if (keys.length === 0) return (await attempt(target, batch, options)).outcome;
  const scope = { namespace: batch.namespace, target: ledgerName };
  let claim: Claim;
  try {
    claim = await idempotency.ledger.claim(scope, keys, options.signal);
  } catch (err) {
    logger.error('event idempotency ledger unavailable; delivering without it (at least once)', {
      ...scope,
      error: describeError(err),
    });
    return (await attempt(target, batch, options)).outcome;
  }
  const records = batch.records.filter((r) => {
    const key = keyOf(r);
    return key === undefined || claim.claimed.has(key);
  });
  const alreadyDelivered = batch.records.filter((r) => claim.taken.has(keyOf(r)!)).length;
  const annotate = (outcome: TargetOutcome): TargetOutcome => {
    const annotated = alreadyDelivered > 0 ? { ...outcome, alreadyDelivered } : outcome;
    return claim.busy.size > 0 && annotated.ok ? { ...annotated, ok: false, error: IN_PROGRESS } : annotated;
  };
  if (records.length === 0) return annotate({ target: target.name, ok: true });

  const { outcome, undelivered } = await attempt(target, { ...batch, records }, options);
  const left = new Set(outcome.ok ? [] : (undelivered?.records ?? records).map(keyOf));
  const done = [...claim.claimed].filter((k) => !left.has(k));
  // A target that did not answer in time may still have taken the records: its claims lapse on their own
  // (one request budget later), and releasing them now would outlast the request's deadline.
  const failed = outcome.error === TIMED_OUT ? [] : [...claim.claimed].filter((k) => left.has(k));
  const bound = AbortSignal.timeout(LEDGER_WRITE_TIMEOUT_MS);
  await Promise.all([
    done.length > 0 &&
      claim.commit(done, bound).catch((err: unknown) =>
        logger.error('event idempotency ledger did not record a delivery; a retry may repeat it', {
          ...scope,
          records: done.length,
          error: describeError(err),
        }),
      ),
    failed.length > 0 &&
      claim.release(failed, bound).catch((err: unknown) =>
        logger.error(
          'event idempotency ledger did not release a failed delivery; a retry waits for its claim to lapse',
          {
            ...scope,
            records: failed.length,
            error: describeError(err),
          },
        ),
      ),
  ]);
  return annotate(outcome);
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
  // Two targets of one name (file targets with one file name in two folders) keep apart in the ledger.
  const seen = new Map<string, number>();
  return Promise.all(
    targets.map((target) => {
      const n = (seen.get(target.name) ?? 0) + 1;
      seen.set(target.name, n);
      return deliver(target, batch, options, n === 1 ? target.name : `${target.name}#${n}`);
    }),
  );
}
