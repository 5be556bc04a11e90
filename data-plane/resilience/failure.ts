/**
 * Which errors are the server side's fault and so worth a fallback, a stale answer or a breaker count:
 * origin errors (throttling, failure, timeout, an open circuit), other 5xx and anything unexpected.
 * A client error (bad parameter, unknown recommender) is not: another origin would fail the same way.
 */
import { ApiError } from '../errors.ts';

export function isServerSideFailure(err: unknown): boolean {
  return !(err instanceof ApiError) || err.status >= 500 || err.status === 429;
}
