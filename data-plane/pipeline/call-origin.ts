/**
 * Step 7: one origin call under the variation's timeout. The resolver gets an AbortSignal that fires at
 * the deadline; a resolver that ignores it still loses the race, so no request waits longer than the
 * timeout. Errors leave here as ApiErrors (429/502/504).
 */
import type { ResolvedVariation } from '../../schema/resolve-config.ts';
import { ServerMisconfiguredError } from '../errors.ts';
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
 * Runs `task` with an AbortSignal that fires after `timeoutMs`; the promise settles by the deadline at the latest.
 *
 * @example
 * await withTimeout((signal) => fetch(url, { signal }), 800, 'http recs');
 */
export async function withTimeout<T>(
  task: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  origin: string,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const reason = new DOMException(`${origin} timed out`, 'TimeoutError');
      controller.abort(reason);
      reject(reason);
    }, timeoutMs);
  });
  const work = task(controller.signal);
  work.catch(() => {});
  try {
    return await Promise.race([work, deadline]);
  } catch (err) {
    throw toOriginError(err, origin, { signal: controller.signal, timeoutMs });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * @example
 * const result = await callOrigin(resolvers, { action, namespace, recommender, variation, userId, numResults, context });
 */
export async function callOrigin(
  resolvers: OriginResolvers,
  request: Omit<OriginRequest, 'signal'>,
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
  return withTimeout((signal) => resolver({ ...request, signal }), timeoutMs, originLabel(variation));
}
