/** Lambda entry of the sync-resources `SyncCacheSettings` task (input: the change event's `detail`). */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import * as z from 'zod';
import { boundedClientConfig } from '../../shared/bounded-client-config.ts';
import { configChangeDetailSchema, type SyncCacheSettingsResult } from '../../state-machines/sync-resources-payload.ts';
import { envFields } from '../env.ts';
import { createLogger } from '../logger.ts';
import { parseInput } from '../parse-input.ts';
import { resolveDetailConfig } from '../resolve-detail-config.ts';
import { type SyncCacheSettingsDeps, syncCacheSettings } from './sync-cache-settings.ts';

const envSchema = z
  .object({
    P13N_CACHE_POLICY_ID: envFields.P13N_CACHE_POLICY_ID,
    P13N_ORIGIN_REQUEST_POLICY_ID: envFields.P13N_ORIGIN_REQUEST_POLICY_ID,
    P13N_REST_API_ID: envFields.P13N_REST_API_ID,
    P13N_REST_API_STAGE: envFields.P13N_REST_API_STAGE,
  })
  .refine((env) => !env.P13N_REST_API_ID || env.P13N_REST_API_STAGE, {
    path: ['P13N_REST_API_STAGE'],
    message: 'required when P13N_REST_API_ID is set',
  });

let deps: SyncCacheSettingsDeps | undefined;

function coldStart(): SyncCacheSettingsDeps {
  const env = parseInput(envSchema, process.env, 'environment');
  return {
    // CloudFront is a global service whose API lives in us-east-1.
    cloudFront: new CloudFrontClient({ region: 'us-east-1', ...boundedClientConfig() }),
    apiGateway: new APIGatewayClient(boundedClientConfig()),
    cachePolicyId: env.P13N_CACHE_POLICY_ID,
    originRequestPolicyId: env.P13N_ORIGIN_REQUEST_POLICY_ID,
    restApi:
      env.P13N_REST_API_ID && env.P13N_REST_API_STAGE
        ? { restApiId: env.P13N_REST_API_ID, stageName: env.P13N_REST_API_STAGE }
        : undefined,
    logger: createLogger('sync-cache-settings'),
  };
}

export async function handler(event: unknown): Promise<SyncCacheSettingsResult> {
  deps ??= coldStart();
  const detail = parseInput(configChangeDetailSchema, event, 'configuration-change detail');
  return syncCacheSettings(resolveDetailConfig(detail), deps);
}
