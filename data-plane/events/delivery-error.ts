/**
 * 502 for a request whose events did not reach every target — 504 `EventDeliveryTimedOut` when the
 * request's budget ran out before every target answered. The body names the failed targets and lists
 * every target's outcome, so the client knows the request may be retried (targets that did succeed
 * then see the records twice: delivery is at least once).
 */
import { ApiError, type ErrorBody } from '../errors.ts';
import { type TargetOutcome, TIMED_OUT } from './fan-out.ts';

export class EventDeliveryError extends ApiError {
  override name = 'EventDeliveryError';
  constructor(readonly outcomes: TargetOutcome[]) {
    const failed = outcomes.filter((o) => !o.ok);
    const timedOut = failed.some((o) => o.error === TIMED_OUT);
    super(
      timedOut ? 504 : 502,
      'OriginError',
      timedOut ? 'EventDeliveryTimedOut' : 'EventDeliveryFailed',
      `events were not delivered to: ${failed.map((o) => `${o.target} (${o.error ?? 'failed'})`).join(', ')}`,
    );
  }

  override toBody(): ErrorBody & { targets: TargetOutcome[] } {
    return { ...super.toBody(), targets: this.outcomes };
  }
}
