/**
 * 502 for a request whose events did not reach every target. The body names the failed targets and
 * lists every target's outcome, so the client knows the request may be retried (targets that did
 * succeed then see the records twice: delivery is at least once).
 */
import { ApiError, type ErrorBody } from '../errors.ts';
import type { TargetOutcome } from './fan-out.ts';

export class EventDeliveryError extends ApiError {
  override name = 'EventDeliveryError';
  constructor(readonly outcomes: TargetOutcome[]) {
    const failed = outcomes.filter((o) => !o.ok).map((o) => `${o.target} (${o.error ?? 'failed'})`);
    super(502, 'OriginError', 'EventDeliveryFailed', `events were not delivered to: ${failed.join(', ')}`);
  }

  override toBody(): ErrorBody & { targets: TargetOutcome[] } {
    return { ...super.toBody(), targets: this.outcomes };
  }
}
