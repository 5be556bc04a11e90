import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import {
  CloudFrontClient,
  GetCachePolicyCommand,
  GetOriginRequestPolicyCommand,
  UpdateCachePolicyCommand,
  UpdateOriginRequestPolicyCommand,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { syncCacheSettings } from '../../../control-plane/sync-cache-settings/sync-cache-settings.ts';
import { namespace, resolved } from '../helpers/configs.ts';
import { fixture } from '../helpers/fixtures.ts';
import { recordingLogger } from '../helpers/recording-logger.ts';
import { sample } from '../helpers/samples.ts';

const cf = mockClient(CloudFrontClient);
const apigw = mockClient(APIGatewayClient);
const clients = () => ({
  cloudFront: new CloudFrontClient({ region: 'us-east-1' }),
  apiGateway: new APIGatewayClient({}),
});

beforeEach(() => {
  cf.reset();
  apigw.reset();
  cf.on(GetCachePolicyCommand).resolves(fixture('cloudfront/get-cache-policy.json'));
  cf.on(GetOriginRequestPolicyCommand).resolves(fixture('cloudfront/get-origin-request-policy.json'));
  cf.on(UpdateCachePolicyCommand).resolves({});
  cf.on(UpdateOriginRequestPolicyCommand).resolves({});
});

describe('syncCacheSettings', () => {
  it('updates both CloudFront policies and skips the API Gateway stage it was not given', async () => {
    const logger = recordingLogger();
    const out = await syncCacheSettings(resolved(sample('config_simple.json')), {
      ...clients(),
      cachePolicyId: 'cp-123',
      originRequestPolicyId: 'orp-456',
      logger,
    });
    expect(out).toEqual({
      status: 'ok',
      cachePolicy: 'updated',
      originRequestPolicy: 'updated',
      apiGatewayStage: 'skipped',
      apiGatewayMethods: 0,
    });
    expect(apigw.calls()).toHaveLength(0);
    expect(logger.messages('info')).toContain('no API Gateway REST stage configured (P13N_REST_API_ID); skipping it');
  });

  it('touches nothing when the configuration opts out with autoProvision false', async () => {
    const logger = recordingLogger();
    const config = resolved({ cacheControl: { autoProvision: false }, namespaces: { shop: namespace() } });
    const out = await syncCacheSettings(config, {
      ...clients(),
      cachePolicyId: 'cp-123',
      originRequestPolicyId: 'orp-456',
      restApi: { restApiId: 'api123', stageName: 'prod' },
      logger,
    });
    expect(out).toMatchObject({ cachePolicy: 'skipped', originRequestPolicy: 'skipped', apiGatewayStage: 'skipped' });
    expect(cf.calls()).toHaveLength(0);
    expect(apigw.calls()).toHaveLength(0);
    expect(logger.messages('info')).toEqual([
      'cache settings not managed: no recommender has cacheControl.autoProvision enabled',
    ]);
  });
});
