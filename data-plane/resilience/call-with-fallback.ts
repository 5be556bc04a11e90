/**
 * Step 7 with its safety nets: the chosen variation's origin is called through its circuit breaker;
 * when it fails on the server side (error, throttling, timeout, open circuit) and the variation names a
 * `fallback`, the fallback variation is asked with a request built for it (its own context rules, filters
 * and look-ahead), and so on down the chain. The caller learns which variation answered, so the response
 * can say it was a fallback.
 */
import type { ResolvedRecommender, ResolvedVariation } from '../../schema/resolve-config.ts';
import { describeError, type Logger } from '../../shared/logger.ts';
import { type Deadline, NO_DEADLINE } from '../deadline.ts';
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
  /** The request that variation answered. */
  request: Omit<OriginRequest, 'signal'>;
}

/** The breaker key of a variation: one circuit per origin of each recommender. */
function circuitKey(request: Omit<OriginRequest, 'signal'>, variation: ResolvedVariation): string {
  return variationCircuitKey(request.namespace, request.recommender, variation);
}

/** The breaker key of a variation of a namespace's recommender (what a configuration keeps circuits for). */
export function variationCircuitKey(namespace: string, recommender: ResolvedRecommender, variation: ResolvedVariation) {
  return `${namespace}/${recommender.action}/${recommender.key}/${variation.key}`;
}

/**
 * @example
 * const { result, variation } = await callWithFallback(deps, originRequest);
 * if (variation !== originRequest.variation) headers['X-Personalization-Fallback'] = `${originRequest.variation.key}->${variation.key}`;
 */
export async function callWithFallback(
  deps: FallbackDeps,
  request: Omit<OriginRequest, 'signal'>,
  requestFor: (variation: ResolvedVariation) => Omit<OriginRequest, 'signal'> = (variation) => ({
    ...request,
    variation,
  }),
  deadline: Deadline = NO_DEADLINE,
): Promise<OriginAnswer> {
  const tried = new Set<string>();
  let current = request;
  for (;;) {
    const variation = current.variation;
    tried.add(variation.key);
    const asked = current;
    const call = () => callOrigin(deps.resolvers, asked, deadline);
    try {
      const result = deps.breakers
        ? await deps.breakers.call(circuitKey(request, variation), originLabel(variation), call)
        : await call();
      return { result, variation, request: asked };
    } catch (err) {
      const next =
        variation.fallback === undefined ? undefined : request.recommender.variations.get(variation.fallback);
      if (!next || tried.has(next.key) || !isServerSideFailure(err)) throw err;
      deps.metrics.add('OriginFallback', 'Count', 1);
      deps.logger.warn('origin failed; trying fallback variation', {
        recommender: `${request.namespace}/${request.action}/${request.recommender.key}`,
        from: variation.key,
        to: next.key,
        error: describeError(err),
      });
      // A fallback whose own request cannot be built (e.g. a filter name it cannot resolve) leaves the
      // original failure standing.
      try {
        current = requestFor(next);
      } catch {
        throw err;
      }
    }
  }
}
