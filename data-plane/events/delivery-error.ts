/**
 * 502 for a request whose events did not reach every target — 504 `EventDeliveryTimedOut` when the
 * request's budget ran out before every target answered. The body names the failed targets and lists
 * every target's outcome (`ok`, `error`, `alreadyDelivered`), so the client knows what reached where.
 * The same request may be sent again as it was: keyed events (an `eventId`, or a `sentAt`) then reach
 * only the targets that did not take them; unkeyed ones reach every target again (at least once).
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
