/**
 * Keeps the CloudFront cache policy and origin-request policy of the API distribution in line with the
 * configuration. Each policy is read (GetXPolicy), compared, and written back with UpdateXPolicy and
 * `IfMatch` on the ETag just read, only when something changed; fields the configuration does not
 * govern (name, comment, cookies) are kept as they are.
 *
 * CloudFront rejects cache-key settings on a policy whose TTLs are all 0; when caching is off, the
 * headers and query strings travel to the origin through the origin-request policy instead.
 */
import {
  type CachePolicyConfig,
  type CloudFrontClient,
  GetCachePolicyCommand,
  GetOriginRequestPolicyCommand,
  type OriginRequestPolicyConfig,
  UpdateCachePolicyCommand,
  UpdateOriginRequestPolicyCommand,
} from '@aws-sdk/client-cloudfront';
import type { Logger } from '../../shared/logger.ts';
import type { SyncOutcome } from '../../state-machines/sync-resources-payload.ts';
import { ResourceConflict } from '../errors.ts';
import { CORS_HEADERS, type DesiredCacheSettings } from './desired-cache-settings.ts';

export interface CloudFrontDeps {
  cloudFront: CloudFrontClient;
  logger: Logger;
}

const lower = (items: string[] | undefined) => (items ?? []).map((h) => h.toLowerCase()).sort();
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const headerList = (headers: string[]) => ({ Quantity: headers.length, ...(headers.length ? { Items: headers } : {}) });

/** Cache policy fields the configuration governs. */
function desiredCachePolicy(current: CachePolicyConfig, desired: DesiredCacheSettings): CachePolicyConfig {
  const caching = desired.maxTtl > 0;
  const headers = caching ? desired.cacheKeyHeaders : [];
  const params = current.ParametersInCacheKeyAndForwardedToOrigin;
  return {
    ...current,
    MinTTL: desired.minTtl,
    DefaultTTL: desired.defaultTtl,
    MaxTTL: desired.maxTtl,
    ParametersInCacheKeyAndForwardedToOrigin: {
      ...params,
      EnableAcceptEncodingGzip: caching,
      EnableAcceptEncodingBrotli: caching,
      HeadersConfig: { HeaderBehavior: headers.length ? 'whitelist' : 'none', Headers: headerList(headers) },
      CookiesConfig: caching ? (params?.CookiesConfig ?? { CookieBehavior: 'none' }) : { CookieBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: caching ? 'all' : 'none' },
    },
  };
}

function cachePolicyChanged(current: CachePolicyConfig, next: CachePolicyConfig): boolean {
  const a = current.ParametersInCacheKeyAndForwardedToOrigin;
  const b = next.ParametersInCacheKeyAndForwardedToOrigin;
  return (
    current.MinTTL !== next.MinTTL ||
    current.DefaultTTL !== next.DefaultTTL ||
    current.MaxTTL !== next.MaxTTL ||
    Boolean(a?.EnableAcceptEncodingGzip) !== Boolean(b?.EnableAcceptEncodingGzip) ||
    Boolean(a?.EnableAcceptEncodingBrotli) !== Boolean(b?.EnableAcceptEncodingBrotli) ||
    a?.HeadersConfig?.HeaderBehavior !== b?.HeadersConfig?.HeaderBehavior ||
    !sameSet(lower(a?.HeadersConfig?.Headers?.Items), lower(b?.HeadersConfig?.Headers?.Items)) ||
    a?.CookiesConfig?.CookieBehavior !== b?.CookiesConfig?.CookieBehavior ||
    a?.QueryStringsConfig?.QueryStringBehavior !== b?.QueryStringsConfig?.QueryStringBehavior
  );
}

/** Origin-request policy fields the configuration governs. */
function desiredOriginRequestPolicy(
  current: OriginRequestPolicyConfig,
  desired: DesiredCacheSettings,
): OriginRequestPolicyConfig {
  const caching = desired.maxTtl > 0;
  // With caching on, the cache-key headers already reach the origin through the cache policy.
  const headers = [...new Set([...CORS_HEADERS, ...(caching ? [] : desired.cacheKeyHeaders)])].sort();
  const behavior = current.HeadersConfig?.HeaderBehavior;
  if (behavior === 'allViewer' || behavior === 'allViewerAndWhitelistCloudFront') {
    // Every viewer header already goes to the origin; only CloudFront's own headers need listing.
    const cloudFrontHeaders = headers.filter((h) => h.startsWith('cloudfront-'));
    return {
      ...current,
      HeadersConfig: {
        HeaderBehavior: cloudFrontHeaders.length ? 'allViewerAndWhitelistCloudFront' : 'allViewer',
        Headers: headerList(cloudFrontHeaders),
      },
      QueryStringsConfig: { QueryStringBehavior: 'all' },
    };
  }
  return {
    ...current,
    HeadersConfig: { HeaderBehavior: 'whitelist', Headers: headerList(headers) },
    QueryStringsConfig: { QueryStringBehavior: 'all' },
  };
}

function originRequestPolicyChanged(current: OriginRequestPolicyConfig, next: OriginRequestPolicyConfig): boolean {
  return (
    current.HeadersConfig?.HeaderBehavior !== next.HeadersConfig?.HeaderBehavior ||
    !sameSet(lower(current.HeadersConfig?.Headers?.Items), lower(next.HeadersConfig?.Headers?.Items)) ||
    current.QueryStringsConfig?.QueryStringBehavior !== next.QueryStringsConfig?.QueryStringBehavior
  );
}

export async function syncCachePolicy(
  id: string,
  desired: DesiredCacheSettings,
  deps: CloudFrontDeps,
): Promise<SyncOutcome> {
  const out = await deps.cloudFront.send(new GetCachePolicyCommand({ Id: id }));
  const current = out.CachePolicy?.CachePolicyConfig;
  if (!current) throw new ResourceConflict(`cache policy ${id} has no configuration`);
  const next = desiredCachePolicy(current, desired);
  if (!cachePolicyChanged(current, next)) {
    deps.logger.info('cache policy unchanged', { id });
    return 'unchanged';
  }
  await deps.cloudFront.send(new UpdateCachePolicyCommand({ Id: id, IfMatch: out.ETag, CachePolicyConfig: next }));
  deps.logger.info('cache policy updated', {
    id,
    ttl: { min: next.MinTTL, default: next.DefaultTTL, max: next.MaxTTL },
    headers: next.ParametersInCacheKeyAndForwardedToOrigin?.HeadersConfig?.Headers?.Items ?? [],
  });
  return 'updated';
}

export async function syncOriginRequestPolicy(
  id: string,
  desired: DesiredCacheSettings,
  deps: CloudFrontDeps,
): Promise<SyncOutcome> {
  const out = await deps.cloudFront.send(new GetOriginRequestPolicyCommand({ Id: id }));
  const current = out.OriginRequestPolicy?.OriginRequestPolicyConfig;
  if (!current) throw new ResourceConflict(`origin request policy ${id} has no configuration`);
  const next = desiredOriginRequestPolicy(current, desired);
  if (!originRequestPolicyChanged(current, next)) {
    deps.logger.info('origin request policy unchanged', { id });
    return 'unchanged';
  }
  await deps.cloudFront.send(
    new UpdateOriginRequestPolicyCommand({ Id: id, IfMatch: out.ETag, OriginRequestPolicyConfig: next }),
  );
  deps.logger.info('origin request policy updated', { id, headers: next.HeadersConfig?.Headers?.Items ?? [] });
  return 'updated';
}
