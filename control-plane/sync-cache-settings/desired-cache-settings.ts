/**
 * What the shared caches (CloudFront, the API Gateway stage cache) should look like for a
 * configuration: TTL bounds from the effective `cacheControl` of every variation that lets the control
 * plane provision caches, the request headers auto-context rules read (they change responses, so they
 * belong in cache keys) and, per recommender, the longest time a shared cache may keep its responses.
 */
import type { Action, CacheControlType } from '../../schema/config-schema.ts';
import type { ResolvedConfig, ResolvedRecommender } from '../../schema/resolve-config.ts';

/** Headers a CORS preflight needs at the origin; they do not change the response body. */
export const CORS_HEADERS = ['access-control-request-headers', 'access-control-request-method', 'origin'] as const;

export interface RecommenderCache {
  action: Action;
  namespace: string;
  recommender: string;
  /** Seconds a shared cache may keep a response: the shortest maxAge that can apply to a request. */
  ttl: number;
  /** Lower-case headers the recommender's variations read. */
  headers: string[];
}

export interface DesiredCacheSettings {
  minTtl: number;
  defaultTtl: number;
  maxTtl: number;
  /** Lower-case headers that are part of the cache key (every header any rule reads). */
  cacheKeyHeaders: string[];
  recommenders: RecommenderCache[];
}

/** The cache kinds a request to an action can fall under: related-items may come without a user. */
function kindsFor(
  action: Action,
  cc: { [K in 'userSpecified' | 'syntheticUserSpecified' | 'noUserSpecified']: CacheControlType },
) {
  return action === 'related-items'
    ? [cc.userSpecified, cc.syntheticUserSpecified, cc.noUserSpecified]
    : [cc.userSpecified, cc.syntheticUserSpecified];
}

function recommenderCache(rec: ResolvedRecommender): RecommenderCache | undefined {
  const managed = [...rec.variations.values()].filter((v) => v.cacheControl.autoProvision);
  if (managed.length === 0) return undefined;
  const ttl = Math.min(...managed.flatMap((v) => kindsFor(rec.action, v.cacheControl).map((k) => k.maxAge)));
  const headers = rec.contextHeaders;
  return { action: rec.action, namespace: rec.namespace, recommender: rec.key, ttl, headers };
}

/**
 * Returns undefined when no variation lets the control plane provision caches (`autoProvision: false`).
 *
 * @example
 * desiredCacheSettings(resolved); // { minTtl: 10, defaultTtl: 10, maxTtl: 1200, cacheKeyHeaders: [...], recommenders: [...] }
 */
export function desiredCacheSettings(resolved: ResolvedConfig): DesiredCacheSettings | undefined {
  const ttls: number[] = [];
  const recommenders: RecommenderCache[] = [];
  for (const ns of resolved.namespaces.values()) {
    for (const byKey of Object.values(ns.recommenders)) {
      for (const rec of byKey.values()) {
        const cache = recommenderCache(rec);
        if (!cache) continue;
        recommenders.push(cache);
        for (const v of rec.variations.values()) {
          const cc = v.cacheControl;
          if (cc.autoProvision)
            ttls.push(cc.userSpecified.maxAge, cc.syntheticUserSpecified.maxAge, cc.noUserSpecified.maxAge);
        }
      }
    }
  }
  if (recommenders.length === 0) return undefined;
  const minTtl = Math.min(...ttls);
  return {
    minTtl,
    // Responses always carry Cache-Control, so the default only applies to the odd one without it: be conservative.
    defaultTtl: minTtl,
    maxTtl: Math.max(...ttls),
    cacheKeyHeaders: resolved.contextHeaders,
    recommenders,
  };
}
