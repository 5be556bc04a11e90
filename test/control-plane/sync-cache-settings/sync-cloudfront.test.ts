import {
  CloudFrontClient,
  GetCachePolicyCommand,
  GetOriginRequestPolicyCommand,
  UpdateCachePolicyCommand,
  UpdateOriginRequestPolicyCommand,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { desiredCacheSettings } from '../../../control-plane/sync-cache-settings/desired-cache-settings.ts';
import {
  syncCachePolicy,
  syncOriginRequestPolicy,
} from '../../../control-plane/sync-cache-settings/sync-cloudfront.ts';
import { namespace, resolved } from '../helpers/configs.ts';
import { fixture } from '../helpers/fixtures.ts';
import { recordingLogger } from '../helpers/recording-logger.ts';
import { sample } from '../helpers/samples.ts';

const cf = mockClient(CloudFrontClient);
const deps = () => ({ cloudFront: new CloudFrontClient({ region: 'us-east-1' }), logger: recordingLogger() });
const autoContext = desiredCacheSettings(
  resolved({
    ...sample('config_auto_context.json'),
    cacheControl: {
      userSpecified: { maxAge: 30 },
      syntheticUserSpecified: { maxAge: 300 },
      noUserSpecified: { maxAge: 3600 },
    },
  }),
)!;

beforeEach(() => {
  cf.reset();
  cf.on(GetCachePolicyCommand).resolves(fixture('cloudfront/get-cache-policy.json'));
  cf.on(GetOriginRequestPolicyCommand).resolves(fixture('cloudfront/get-origin-request-policy.json'));
  cf.on(UpdateCachePolicyCommand).resolves({});
  cf.on(UpdateOriginRequestPolicyCommand).resolves({});
});

describe('syncCachePolicy', () => {
  it('sets TTLs and cache-key headers with IfMatch, keeping name and comment', async () => {
    await expect(syncCachePolicy('cp-123', autoContext, deps())).resolves.toBe('updated');
    const input = cf.commandCalls(UpdateCachePolicyCommand)[0]!.args[0].input;
    expect(input.Id).toBe('cp-123');
    expect(input.IfMatch).toBe('E2QWRUHAPOMQZL');
    expect(input.CachePolicyConfig).toMatchObject({
      Name: 'personalization-apis',
      Comment: 'Managed by the personalization-apis control plane',
      MinTTL: 30,
      DefaultTTL: 30,
      MaxTTL: 3600,
      ParametersInCacheKeyAndForwardedToOrigin: {
        EnableAcceptEncodingGzip: true,
        EnableAcceptEncodingBrotli: true,
        HeadersConfig: {
          HeaderBehavior: 'whitelist',
          Headers: { Quantity: autoContext.cacheKeyHeaders.length, Items: autoContext.cacheKeyHeaders },
        },
        QueryStringsConfig: { QueryStringBehavior: 'all' },
      },
    });
  });

  it('makes no update when the policy already matches (headers compared case-insensitively)', async () => {
    const current = fixture('cloudfront/get-cache-policy.json');
    await syncCachePolicy('cp-123', autoContext, deps());
    const applied = cf.commandCalls(UpdateCachePolicyCommand)[0]!.args[0].input.CachePolicyConfig!;
    const items = applied.ParametersInCacheKeyAndForwardedToOrigin!.HeadersConfig!.Headers!.Items!;
    applied.ParametersInCacheKeyAndForwardedToOrigin!.HeadersConfig!.Headers!.Items = items.map((h) =>
      h.replace(/^c/, 'C'),
    );
    cf.reset();
    cf.on(GetCachePolicyCommand).resolves({
      ...current,
      CachePolicy: { ...current.CachePolicy, CachePolicyConfig: applied },
    });

    await expect(syncCachePolicy('cp-123', autoContext, deps())).resolves.toBe('unchanged');
    expect(cf.commandCalls(UpdateCachePolicyCommand)).toHaveLength(0);
  });

  it('drops cache-key settings when every TTL is 0, as CloudFront requires', async () => {
    const noCache = desiredCacheSettings(
      resolved({ cacheControl: { userSpecified: { maxAge: 0 } }, namespaces: { shop: namespace() } }),
    )!;
    await syncCachePolicy('cp-123', noCache, deps());
    expect(cf.commandCalls(UpdateCachePolicyCommand)[0]!.args[0].input.CachePolicyConfig).toMatchObject({
      MinTTL: 0,
      DefaultTTL: 0,
      MaxTTL: 0,
      ParametersInCacheKeyAndForwardedToOrigin: {
        EnableAcceptEncodingGzip: false,
        EnableAcceptEncodingBrotli: false,
        HeadersConfig: { HeaderBehavior: 'none', Headers: { Quantity: 0 } },
        CookiesConfig: { CookieBehavior: 'none' },
        QueryStringsConfig: { QueryStringBehavior: 'none' },
      },
    });
  });
});

describe('syncOriginRequestPolicy', () => {
  it('forwards the CORS headers with IfMatch', async () => {
    await expect(syncOriginRequestPolicy('orp-456', autoContext, deps())).resolves.toBe('updated');
    const input = cf.commandCalls(UpdateOriginRequestPolicyCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ Id: 'orp-456', IfMatch: 'E1ORPETAG' });
    expect(input.OriginRequestPolicyConfig).toMatchObject({
      Name: 'personalization-apis-origin',
      HeadersConfig: {
        HeaderBehavior: 'whitelist',
        Headers: { Quantity: 3, Items: ['access-control-request-headers', 'access-control-request-method', 'origin'] },
      },
      QueryStringsConfig: { QueryStringBehavior: 'all' },
    });
  });

  it('forwards the context headers too when caching is off', async () => {
    const noCache = desiredCacheSettings(
      resolved({
        ...sample('config_auto_context.json'),
        cacheControl: {
          userSpecified: { maxAge: 0 },
          syntheticUserSpecified: { maxAge: 0 },
          noUserSpecified: { maxAge: 0 },
        },
      }),
    )!;
    await syncOriginRequestPolicy('orp-456', noCache, deps());
    const items = cf.commandCalls(UpdateOriginRequestPolicyCommand)[0]!.args[0].input.OriginRequestPolicyConfig!
      .HeadersConfig!.Headers!.Items!;
    expect(items).toEqual(
      expect.arrayContaining(['origin', 'cloudfront-viewer-time-zone', 'cloudfront-is-mobile-viewer']),
    );
  });

  it('keeps an all-viewer policy and adds nothing when nothing is missing', async () => {
    const current = fixture('cloudfront/get-origin-request-policy.json');
    current.OriginRequestPolicy.OriginRequestPolicyConfig.HeadersConfig = {
      HeaderBehavior: 'allViewer',
      Headers: { Quantity: 0 },
    };
    cf.on(GetOriginRequestPolicyCommand).resolves(current);
    await expect(syncOriginRequestPolicy('orp-456', autoContext, deps())).resolves.toBe('unchanged');
    expect(cf.commandCalls(UpdateOriginRequestPolicyCommand)).toHaveLength(0);
  });
});
