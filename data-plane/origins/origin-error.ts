/**
 * Maps whatever an origin call threw to the error model: our own ApiErrors pass through, an abort at the
 * variation's timeout is a 504, throttling (as shared/aws-errors.ts classifies it) is a 429, and anything else is a 502. The original error is kept as `cause` for the logs.
 */
import { isThrottled } from '../../shared/aws-errors.ts';
import { ApiError, OriginFailedError, OriginThrottledError, OriginTimeoutError } from '../errors.ts';

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
  if (isThrottled(err)) return new OriginThrottledError(origin, { cause: err });
  const message = (err as SdkLikeError | undefined)?.message ?? String(err);
  return new OriginFailedError(origin, `${name ?? 'Error'}: ${message}`.slice(0, 300), { cause: err });
}
