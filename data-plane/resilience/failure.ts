/**
 * Which errors are the server side's fault and so worth a fallback, a stale answer or a breaker count:
 * origin errors (throttling, failure, timeout, an open circuit), other 5xx and anything unexpected.
 * A client error (bad parameter, unknown recommender, an origin refusing the request's own parameters —
 * OriginRejectedRequestError) is not: another origin would fail the same way, and counting it would let
 * a few bad requests close an origin for everyone.
 *
 * Throttling (429) counts, by decision: an origin that asks us to slow down is overloaded, and pausing
 * calls to it for the cool-down (serving fallbacks or stale answers meanwhile) is the slowing down it
 * asked for. Only the origin's own throttling counts; our own 4xx never do.
 */
import { ApiError } from '../errors.ts';

export function isServerSideFailure(err: unknown): boolean {
  return !(err instanceof ApiError) || err.status >= 500 || err.status === 429;
}
