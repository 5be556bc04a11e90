import {
  APIGatewayClient,
  CreateDeploymentCommand,
  GetMethodCommand,
  GetResourcesCommand,
  GetStageCommand,
  UpdateIntegrationCommand,
  UpdateMethodCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { queryParametersOf } from '../../../contracts/inference-query.ts';
import { ORIGIN_SECRET_CACHE_KEY } from '../../../contracts/origin-secret.ts';
import { desiredCacheSettings } from '../../../control-plane/sync-cache-settings/desired-cache-settings.ts';
import {
  recommendersServedBy,
  syncApiGatewayStage,
} from '../../../control-plane/sync-cache-settings/sync-api-gateway.ts';
import { resolved } from '../helpers/configs.ts';
import { fixture } from '../helpers/fixtures.ts';
import { recordingLogger } from '../helpers/recording-logger.ts';
import { sample } from '../helpers/samples.ts';

const apigw = mockClient(APIGatewayClient);
const target = { restApiId: 'api123', stageName: 'prod' };
const desired = desiredCacheSettings(resolved(sample('config_simple.json')))!;
const deps = () => ({ apiGateway: new APIGatewayClient({}), logger: recordingLogger() });

const QUERY = queryParametersOf('recommend-items').map((q) => `method.request.querystring.${q}`);
const path = (...names: string[]) => names.map((n) => `method.request.path.${n}`);
const EXPECTED_KEYS: Record<string, string[]> = {
  'r-rec': [...path('namespace', 'recommender', 'userId'), ...QUERY].sort(),
  'r-rel': [...path('itemId'), ...QUERY, 'method.request.querystring.userId'].sort(),
  'r-rrk': [...path('itemIds', 'namespace', 'recommender', 'userId'), ...QUERY].sort(),
};
const SETTING_KEYS = {
  'r-rec': '~1recommend-items~1{namespace}~1{recommender}~1{userId}/GET',
  'r-rel': '~1related-items~1my-store~1similar~1{itemId}/GET',
  'r-rrk': '~1rerank-items~1{namespace}~1{recommender}~1{userId}~1{itemIds}/GET',
};

function declaredPathParams(resourceId: string) {
  return Object.fromEntries(EXPECTED_KEYS[resourceId]!.filter((k) => k.includes('.path.')).map((k) => [k, true]));
}

beforeEach(() => {
  apigw.reset();
  apigw.on(GetResourcesCommand).resolves(fixture('api-gateway/get-resources.json'));
  apigw.on(GetStageCommand).resolves({ stageName: 'prod', cacheClusterEnabled: false, methodSettings: {} });
  for (const id of Object.keys(EXPECTED_KEYS)) {
    apigw.on(GetMethodCommand, { resourceId: id }).resolves({
      httpMethod: 'GET',
      requestParameters: declaredPathParams(id),
      methodIntegration: { type: 'AWS_PROXY' },
    });
  }
  apigw.on(UpdateStageCommand).resolves({});
  apigw.on(UpdateMethodCommand).resolves({});
  apigw.on(UpdateIntegrationCommand).resolves({});
  apigw.on(CreateDeploymentCommand).resolves({ id: 'dep1' });
});

describe('syncApiGatewayStage', () => {
  it('turns the cache on, sets per-method TTLs and cache keys, and redeploys the stage', async () => {
    await expect(syncApiGatewayStage(desired, target, deps())).resolves.toEqual({
      stageUpdated: true,
      methodsUpdated: 3,
    });

    expect(apigw.commandCalls(UpdateStageCommand)[0]!.args[0].input).toEqual({
      restApiId: 'api123',
      stageName: 'prod',
      patchOperations: [
        { op: 'replace', path: '/cacheClusterEnabled', value: 'true' },
        { op: 'replace', path: '/cacheClusterSize', value: '0.5' },
        ...Object.values(SETTING_KEYS).flatMap((key) => [
          { op: 'replace', path: `/${key}/caching/enabled`, value: 'true' },
          { op: 'replace', path: `/${key}/caching/ttlInSeconds`, value: '10' },
        ]),
      ],
    });

    const methodUpdates = apigw.commandCalls(UpdateMethodCommand).map((c) => c.args[0].input);
    expect(methodUpdates.map((u) => u.resourceId)).toEqual(['r-rec', 'r-rel', 'r-rrk']);
    expect(methodUpdates[1]!.patchOperations).toEqual(
      [...QUERY, 'method.request.querystring.userId']
        .sort()
        .map((p) => ({ op: 'add', path: `/requestParameters/${p}`, value: 'false' })),
    );

    const integrationUpdates = apigw.commandCalls(UpdateIntegrationCommand).map((c) => c.args[0].input);
    for (const update of integrationUpdates) {
      expect(update).toMatchObject({ restApiId: 'api123', httpMethod: 'GET' });
      expect(update.patchOperations).toEqual(
        EXPECTED_KEYS[update.resourceId!]!.map((p) => ({ op: 'add', path: `/cacheKeyParameters/${p}` })),
      );
    }
    expect(apigw.commandCalls(CreateDeploymentCommand)).toHaveLength(1);
    expect(apigw.commandCalls(CreateDeploymentCommand)[0]!.args[0].input).toMatchObject({
      restApiId: 'api123',
      stageName: 'prod',
    });
  });

  it('changes nothing once the stage, methods and integrations match', async () => {
    apigw.on(GetStageCommand).resolves({
      cacheClusterEnabled: true,
      cacheClusterSize: '0.5',
      methodSettings: Object.fromEntries(
        Object.values(SETTING_KEYS).map((k) => [k, { cachingEnabled: true, cacheTtlInSeconds: 10 }]),
      ),
    });
    for (const [id, keys] of Object.entries(EXPECTED_KEYS)) {
      apigw.on(GetMethodCommand, { resourceId: id }).resolves({
        requestParameters: Object.fromEntries(keys.map((k) => [k, false])),
        methodIntegration: { cacheKeyParameters: [...keys].reverse() },
      });
    }
    await expect(syncApiGatewayStage(desired, target, deps())).resolves.toEqual({
      stageUpdated: false,
      methodsUpdated: 0,
    });
    const writes = apigw
      .calls()
      .map((c) => (c.args[0] as object).constructor.name)
      .filter((name) => !name.startsWith('Get'));
    expect(writes).toEqual([]);
  });

  it('removes cache keys the configuration no longer needs and turns the cache off when every TTL is 0', async () => {
    const noCache = desiredCacheSettings(resolved({ ...sample('config_simple.json'), cacheControl: undefined }))!;
    apigw.on(GetStageCommand).resolves({
      cacheClusterEnabled: true,
      cacheClusterSize: '0.5',
      methodSettings: { [SETTING_KEYS['r-rec']]: { cachingEnabled: true, cacheTtlInSeconds: 10 } },
    });
    apigw.on(GetMethodCommand, { resourceId: 'r-rec' }).resolves({
      requestParameters: Object.fromEntries(
        [...EXPECTED_KEYS['r-rec']!, 'method.request.header.x-old'].map((k) => [k, false]),
      ),
      methodIntegration: { cacheKeyParameters: [...EXPECTED_KEYS['r-rec']!, 'method.request.header.x-old'] },
    });
    await syncApiGatewayStage(noCache, target, deps());
    expect(apigw.commandCalls(UpdateStageCommand)[0]!.args[0].input.patchOperations).toEqual([
      { op: 'replace', path: '/cacheClusterEnabled', value: 'false' },
      { op: 'replace', path: `/${SETTING_KEYS['r-rec']}/caching/enabled`, value: 'false' },
    ]);
    const recUpdate = apigw.commandCalls(UpdateIntegrationCommand).find((c) => c.args[0].input.resourceId === 'r-rec')!
      .args[0].input;
    expect(recUpdate.patchOperations).toEqual([
      { op: 'remove', path: '/cacheKeyParameters/method.request.header.x-old' },
    ]);
  });
});

describe('syncApiGatewayStage behind CloudFront', () => {
  it('keeps the origin-secret cache key, so a direct caller never hits an entry CloudFront filled', async () => {
    const keys = [...EXPECTED_KEYS['r-rec']!, ORIGIN_SECRET_CACHE_KEY];
    apigw.on(GetMethodCommand, { resourceId: 'r-rec' }).resolves({
      requestParameters: Object.fromEntries(keys.map((k) => [k, k.includes('.path.')])),
      methodIntegration: { cacheKeyParameters: [...keys, 'method.request.header.x-old'] },
    });
    await syncApiGatewayStage(desired, target, deps());
    const recUpdate = apigw.commandCalls(UpdateIntegrationCommand).find((c) => c.args[0].input.resourceId === 'r-rec')!
      .args[0].input;
    expect(recUpdate.patchOperations).toEqual([
      { op: 'remove', path: '/cacheKeyParameters/method.request.header.x-old' },
    ]);
  });
});

describe('recommendersServedBy', () => {
  const all = desired.recommenders;
  it('matches literal and templated segments, greedy proxies, and nothing else', () => {
    expect(
      recommendersServedBy('/recommend-items/my-store/recommended-for-you/{userId}', all)?.map((r) => r.recommender),
    ).toEqual(['recommended-for-you']);
    expect(recommendersServedBy('/recommend-items/other/recommended-for-you/{userId}', all)).toEqual([]);
    expect(recommendersServedBy('/{proxy+}', all)).toHaveLength(3);
    expect(recommendersServedBy('/related-items/{proxy+}', all)?.map((r) => r.action)).toEqual(['related-items']);
    expect(recommendersServedBy('/events/{namespace}', all)).toBeUndefined();
    expect(recommendersServedBy('/recommend-items/{namespace}', all)).toBeUndefined();
  });
});
