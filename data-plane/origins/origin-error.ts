/**
 * Maps whatever an origin call threw to the error model: our own ApiErrors pass through, an abort at the
 * variation's timeout is a 504, throttling (as shared/aws-errors.ts classifies it) is a 429, a client
 * fault caused by the request's own parameters is a 400 (which no circuit breaker counts), and anything
 * else is a 502. The original error is kept as `cause` for the logs.
 */
import { classifyAwsError } from '../../shared/aws-errors.ts';
import {
  ApiError,
  OriginFailedError,
  OriginRejectedRequestError,
  OriginThrottledError,
  OriginTimeoutError,
} from '../errors.ts';

/**
 * 4xx answers that say the deployment, not the request, is wrong: our credentials or permissions, or a
 * configured resource (campaign, function, endpoint) that does not exist, or a SageMaker model that
 * crashed (ModelError, 424). They stay origin failures.
 */
const DEPLOYMENT_FAULT_STATUSES = new Set([401, 403, 407, 424]);
const DEPLOYMENT_FAULT_NAME =
  /AccessDenied|Unauthori[sz]ed|UnrecognizedClient|Signature|Token|Credential|ResourceNotFound|^Model/;

/**
 * Whether an origin's 4xx was caused by the request (a bad filter value, an unknown item ID) rather than
 * by the deployment (missing permissions, a wrong ARN or URL).
 *
 * @example
 * isRequestFault(400) // true; isRequestFault(403) // false; isRequestFault(404, 'ResourceNotFoundException') // false
 */
export function isRequestFault(status: number | undefined, name?: string): boolean {
  if (
    status !== undefined &&
    (status < 400 || status >= 500 || status === 429 || DEPLOYMENT_FAULT_STATUSES.has(status))
  ) {
    return false;
  }
  return !(name && DEPLOYMENT_FAULT_NAME.test(name));
}

interface SdkLikeError {
  name?: string;
  message?: string;
}

/**
 * @example
 * try { … } catch (err) { throw toOriginError(err, `Personalize ${arn}`, { signal, timeoutMs }) }
 */
export function toOriginError(
  err: unknown,
  origin: string,
  timing: { signal: AbortSignal; timeoutMs: number },
): ApiError {
  if (err instanceof ApiError) return err;
  const name = (err as SdkLikeError | undefined)?.name;
  if (timing.signal.aborted || name === 'AbortError' || name === 'TimeoutError') {
    return new OriginTimeoutError(origin, timing.timeoutMs, { cause: err });
  }
  const kind = classifyAwsError(err);
  if (kind === 'throttled') return new OriginThrottledError(origin, { cause: err });
  if (kind === 'clientFault') {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (isRequestFault(status, name)) return new OriginRejectedRequestError({ cause: err });
  }
  const message = (err as SdkLikeError | undefined)?.message ?? String(err);
  return new OriginFailedError(origin, `${name ?? 'Error'}: ${message}`.slice(0, 300), { cause: err });
}
