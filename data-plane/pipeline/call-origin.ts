/**
 * Step 7: one origin call under the variation's timeout, cut short by the request's deadline when that
 * comes first. The resolver gets an AbortSignal that fires at whichever is earlier; a resolver that
 * ignores it still loses the race, so no request waits longer than either. Errors leave here as
 * ApiErrors (429/502/504; the deadline running out is a 504 DeadlineExceeded).
 */
import type { ResolvedVariation } from '../../schema/resolve-config.ts';
import { beforeDeadline, type Deadline, NO_DEADLINE } from '../deadline.ts';
import { DeadlineExceededError, ServerMisconfiguredError } from '../errors.ts';
import { toOriginError } from '../origins/origin-error.ts';
import type { OriginRequest, OriginResolvers, OriginResult } from '../origins/types.ts';

export const DEFAULT_ORIGIN_TIMEOUT_MS = 3000;

/** A short human name for the origin of a variation, used in error messages and logs. */
export function originLabel(variation: ResolvedVariation): string {
  switch (variation.type) {
    case 'personalize-campaign':
    case 'personalize-recommender':
    case 'function':
      return `${variation.type} ${variation.arn}`;
    case 'sagemaker':
      return `sagemaker ${variation.endpointName}`;
    case 'http':
      return `http ${variation.url.split('?')[0]}`;
    default:
      return `${variation.type} variation ${variation.key}`;
  }
}

/**
 * Runs `task` with an AbortSignal that fires after `timeoutMs` or at the request's deadline, whichever is
 * first; the promise settles by then at the latest.
 *
 * @example
 * await withTimeout((signal) => fetch(url, { signal }), 800, 'http recs', deadline);
 */
export async function withTimeout<T>(
  task: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  origin: string,
  deadline: Deadline = NO_DEADLINE,
): Promise<T> {
  try {
    return await beforeDeadline(deadline, origin, task, timeoutMs);
  } catch (err) {
    if (err instanceof DeadlineExceededError) throw err;
    // The cap's abort reason is a TimeoutError, which toOriginError maps to a 504 OriginTimeout.
    throw toOriginError(err, origin, { signal: deadline.signal, timeoutMs });
  }
}

/**
 * @example
 * const result = await callOrigin(resolvers, { action, namespace, recommender, variation, userId, numResults, context });
 */
export async function callOrigin(
  resolvers: OriginResolvers,
  request: Omit<OriginRequest, 'signal'>,
  deadline: Deadline = NO_DEADLINE,
): Promise<OriginResult> {
  const { variation } = request;
  const resolver = resolvers[variation.type];
  if (!resolver) {
    throw new ServerMisconfiguredError(
      'OriginTypeNotAvailable',
      `variation '${variation.key}' is of type '${variation.type}', which this deployment cannot call`,
    );
  }
  const timeoutMs = variation.timeoutMs ?? DEFAULT_ORIGIN_TIMEOUT_MS;
  if (resolver.answerNow) {
    let answered: OriginResult | undefined;
    try {
      answered = resolver.answerNow(request);
    } catch (err) {
      throw toOriginError(err, originLabel(variation), { signal: deadline.signal, timeoutMs });
    }
    if (answered) return answered;
  }
  return withTimeout(
    (signal) => resolver(Object.assign({}, request, { signal })),
    timeoutMs,
    originLabel(variation),
    deadline,
  );
}
