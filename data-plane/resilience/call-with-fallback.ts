/**
 * Step 7 with its safety nets: the chosen variation's origin is called through its circuit breaker;
 * when it fails on the server side (error, throttling, timeout, open circuit) and the variation names a
 * `fallback`, the fallback variation is asked with the same request, and so on down the chain. The
 * caller learns which variation answered, so the response can say it was a fallback.
 */
import type { ResolvedVariation } from '../../schema/resolve-config.ts';
import { describeError, type Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { OriginRequest, OriginResolvers, OriginResult } from '../origins/types.ts';
import { callOrigin, originLabel } from '../pipeline/call-origin.ts';
import type { CircuitBreakers } from './circuit-breaker.ts';
import { isServerSideFailure } from './failure.ts';

export interface FallbackDeps {
  resolvers: OriginResolvers;
  /** Without breakers every call goes straight to its origin. */
  breakers?: CircuitBreakers;
  logger: Logger;
  metrics: Metrics;
}

export interface OriginAnswer {
  result: OriginResult;
  /** The variation that answered: the requested one, or a fallback. */
  variation: ResolvedVariation;
}

/** The breaker key of a variation: one circuit per origin of each recommender. */
function circuitKey(request: Omit<OriginRequest, 'signal'>, variation: ResolvedVariation): string {
  return `${request.namespace}/${request.action}/${request.recommender.key}/${variation.key}`;
}

/**
 * @example
 * const { result, variation } = await callWithFallback(deps, originRequest);
 * if (variation !== originRequest.variation) headers['X-Personalization-Fallback'] = `${originRequest.variation.key}->${variation.key}`;
 */
export async function callWithFallback(
  deps: FallbackDeps,
  request: Omit<OriginRequest, 'signal'>,
): Promise<OriginAnswer> {
  const tried = new Set<string>();
  let variation = request.variation;
  for (;;) {
    tried.add(variation.key);
    const current = variation;
    const call = () => callOrigin(deps.resolvers, { ...request, variation: current });
    try {
      const result = deps.breakers
        ? await deps.breakers.call(circuitKey(request, current), originLabel(current), call)
        : await call();
      return { result, variation: current };
    } catch (err) {
      const next = current.fallback === undefined ? undefined : request.recommender.variations.get(current.fallback);
      if (!next || tried.has(next.key) || !isServerSideFailure(err)) throw err;
      deps.metrics.add('OriginFallback', 'Count', 1);
      deps.logger.warn('origin failed; trying fallback variation', {
        recommender: `${request.namespace}/${request.action}/${request.recommender.key}`,
        from: current.key,
        to: next.key,
        error: describeError(err),
      });
      variation = next;
    }
  }
}
