/**
 * Which `cacheControl` entry applies to a response and how it reads as a header: `userSpecified` when the
 * request names a real user, `syntheticUserSpecified` for a synthetic (cohort) user, `noUserSpecified`
 * otherwise.
 */
import type { CacheControlType } from '../../schema/config-schema.ts';
import type { EffectiveCacheControl } from '../../schema/resolve-config.ts';

export function cacheControlFor(
  cacheControl: EffectiveCacheControl,
  request: { hasUser: boolean; syntheticUser: boolean },
): CacheControlType {
  if (!request.hasUser) return cacheControl.noUserSpecified;
  return request.syntheticUser ? cacheControl.syntheticUserSpecified : cacheControl.userSpecified;
}

/**
 * @example
 * cacheControlHeader({ maxAge: 300, directives: 'public' }) // → 'max-age=300, public'
 */
export function cacheControlHeader(entry: CacheControlType): string {
  const directives = entry.directives?.trim();
  return directives ? `max-age=${entry.maxAge}, ${directives}` : `max-age=${entry.maxAge}`;
}
