/**
 * The sync-cache-settings task's core: derive the desired cache settings from the configuration and
 * apply them to whichever shared caches this deployment has (CloudFront policies, an API Gateway REST
 * stage). A cache the deployment lacks, or a configuration that opts out with
 * `cacheControl.autoProvision: false`, is skipped with a log line.
 */
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import type { Logger } from '../../shared/logger.ts';
import type { SyncCacheSettingsResult } from '../../state-machines/sync-resources-payload.ts';
import { desiredCacheSettings } from './desired-cache-settings.ts';
import { type ApiGatewayTarget, syncApiGatewayStage } from './sync-api-gateway.ts';
import { syncCachePolicy, syncOriginRequestPolicy } from './sync-cloudfront.ts';

export interface SyncCacheSettingsDeps {
  cloudFront: CloudFrontClient;
  apiGateway: APIGatewayClient;
  /** Unset parts are skipped. */
  cachePolicyId?: string;
  originRequestPolicyId?: string;
  restApi?: ApiGatewayTarget;
  logger: Logger;
}

/**
 * @example
 * await syncCacheSettings(resolved, { cloudFront, apiGateway, cachePolicyId: 'abc', logger });
 * // → { status: 'ok', cachePolicy: 'updated', originRequestPolicy: 'skipped', apiGatewayStage: 'skipped', apiGatewayMethods: 0 }
 */
export async function syncCacheSettings(
  resolved: ResolvedConfig,
  deps: SyncCacheSettingsDeps,
): Promise<SyncCacheSettingsResult> {
  const result: SyncCacheSettingsResult = {
    status: 'ok',
    cachePolicy: 'skipped',
    originRequestPolicy: 'skipped',
    apiGatewayStage: 'skipped',
    apiGatewayMethods: 0,
  };
  const desired = desiredCacheSettings(resolved);
  if (!desired) {
    deps.logger.info('cache settings not managed: no recommender has cacheControl.autoProvision enabled');
    return result;
  }
  const { logger } = deps;
  const cf = { cloudFront: deps.cloudFront, logger };

  if (deps.cachePolicyId) result.cachePolicy = await syncCachePolicy(deps.cachePolicyId, desired, cf);
  else logger.info('no CloudFront cache policy configured (P13N_CACHE_POLICY_ID); skipping it');

  if (deps.originRequestPolicyId) {
    result.originRequestPolicy = await syncOriginRequestPolicy(deps.originRequestPolicyId, desired, cf);
  } else logger.info('no CloudFront origin request policy configured (P13N_ORIGIN_REQUEST_POLICY_ID); skipping it');

  if (deps.restApi) {
    const out = await syncApiGatewayStage(desired, deps.restApi, { apiGateway: deps.apiGateway, logger });
    result.apiGatewayStage = out.stageUpdated ? 'updated' : 'unchanged';
    result.apiGatewayMethods = out.methodsUpdated;
  } else logger.info('no API Gateway REST stage configured (P13N_REST_API_ID); skipping it');

  return result;
}
