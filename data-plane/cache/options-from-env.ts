/**
 * The response cache settings of an entry point, from its validated environment
 * (`P13N_RESPONSE_CACHE_MB`, `P13N_STALE_IF_ERROR_SECONDS`).
 */
import type { DataPlaneEnv } from '../env.ts';
import type { ResponseCacheOptions } from './cached-inference.ts';

/**
 * @example
 * createApp({ ...deps, responseCache: responseCacheFromEnv(readDataPlaneEnv(process.env)) });
 */
export function responseCacheFromEnv(
  env: Pick<DataPlaneEnv, 'P13N_RESPONSE_CACHE_MB' | 'P13N_STALE_IF_ERROR_SECONDS'>,
): ResponseCacheOptions | false {
  if (env.P13N_RESPONSE_CACHE_MB === 0) return false;
  return {
    maxBytes: Math.floor(env.P13N_RESPONSE_CACHE_MB * 1024 * 1024),
    staleIfErrorSeconds: env.P13N_STALE_IF_ERROR_SECONDS,
  };
}
