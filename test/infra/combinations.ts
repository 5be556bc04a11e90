/**
 * Every supported deployment combination, written out by hand (not derived from the code under
 * test), and what each authentication, entry point and cache choice must add or leave out.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import {
  expectSharedResources,
  expectSwaggerUi,
  expectTagged,
  FUNCTIONS,
  functionId,
  logicalId,
  render,
  roleStatements,
} from './expectations.ts';
import { expectHardening } from './hardening.ts';
import type { Synthesized } from './synth.ts';

export interface Combination {
  readonly authenticationScheme: 'OAuth2-Cognito' | 'ApiKey' | 'None';
  readonly apiEntryPointType: 'API-Gateway-HTTP' | 'API-Gateway-REST';
  readonly cacheScheme: 'CloudFront' | 'API-Gateway-Cache' | 'Both' | 'None';
  /** OAuth2 only: use an existing pool instead of creating one. */
  readonly existingPool?: boolean;
  /** Any spelling the app accepts (Yes|No|true|false, any case). */
  readonly createSwaggerUi: string;
  readonly generateConfigDatasetGroups?: string;
  /** The webAcl context key (any spelling the app accepts); unset means no web ACL. */
  readonly webAcl?: string;
  /** The tableNamePrefixes context key; unset means the default prefix. */
  readonly tableNamePrefixes?: string;
  /** The API distribution's own domain (cdnDomainName, with CDN_CERTIFICATE_ARN). */
  readonly cdnDomainName?: string;
  /** The connectorDestinations context key; unset means no batch connectors. */
  readonly connectorDestinations?: string;
  /** The connectorsBatchInferenceBucket context key (with connectorDestinations). */
  readonly connectorsBatchInferenceBucket?: string;
}

export const CDN_CERTIFICATE_ARN =
  'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

export const EXISTING_POOL = {
  cognitoUserPoolId: 'eu-central-1_Abc123XYZ',
  cognitoUserPoolClientId: '4example5client6id',
};

export const VALID_COMBINATIONS: readonly Combination[] = [
  {
    authenticationScheme: 'OAuth2-Cognito',
    apiEntryPointType: 'API-Gateway-HTTP',
    cacheScheme: 'CloudFront',
    createSwaggerUi: 'Yes',
  },
  {
    authenticationScheme: 'OAuth2-Cognito',
    apiEntryPointType: 'API-Gateway-HTTP',
    cacheScheme: 'CloudFront',
    existingPool: true,
    createSwaggerUi: 'no',
    generateConfigDatasetGroups: 'all',
  },
  {
    authenticationScheme: 'OAuth2-Cognito',
    apiEntryPointType: 'API-Gateway-HTTP',
    cacheScheme: 'None',
    createSwaggerUi: 'false',
  },
  {
    authenticationScheme: 'OAuth2-Cognito',
    apiEntryPointType: 'API-Gateway-HTTP',
    cacheScheme: 'None',
    existingPool: true,
    createSwaggerUi: 'true',
  },
  {
    authenticationScheme: 'None',
    apiEntryPointType: 'API-Gateway-HTTP',
    cacheScheme: 'CloudFront',
    createSwaggerUi: 'Yes',
    generateConfigDatasetGroups: 'movies, retail',
  },
  { authenticationScheme: 'None', apiEntryPointType: 'API-Gateway-HTTP', cacheScheme: 'None', createSwaggerUi: 'No' },
  {
    authenticationScheme: 'OAuth2-Cognito',
    apiEntryPointType: 'API-Gateway-REST',
    cacheScheme: 'API-Gateway-Cache',
    createSwaggerUi: 'Yes',
  },
  {
    authenticationScheme: 'OAuth2-Cognito',
    apiEntryPointType: 'API-Gateway-REST',
    cacheScheme: 'API-Gateway-Cache',
    existingPool: true,
    createSwaggerUi: 'No',
  },
  {
    authenticationScheme: 'OAuth2-Cognito',
    apiEntryPointType: 'API-Gateway-REST',
    cacheScheme: 'None',
    createSwaggerUi: 'No',
    generateConfigDatasetGroups: 'all',
  },
  {
    authenticationScheme: 'OAuth2-Cognito',
    apiEntryPointType: 'API-Gateway-REST',
    cacheScheme: 'None',
    existingPool: true,
    createSwaggerUi: 'Yes',
  },
  {
    authenticationScheme: 'ApiKey',
    apiEntryPointType: 'API-Gateway-REST',
    cacheScheme: 'API-Gateway-Cache',
    createSwaggerUi: 'Yes',
  },
  {
    authenticationScheme: 'ApiKey',
    apiEntryPointType: 'API-Gateway-REST',
    cacheScheme: 'None',
    createSwaggerUi: 'No',
    generateConfigDatasetGroups: 'retail',
    tableNamePrefixes: 'Shop_,Catalog_',
  },
  {
    authenticationScheme: 'None',
    apiEntryPointType: 'API-Gateway-REST',
    cacheScheme: 'API-Gateway-Cache',
    createSwaggerUi: 'No',
  },
  { authenticationScheme: 'None', apiEntryPointType: 'API-Gateway-REST', cacheScheme: 'None', createSwaggerUi: 'Yes' },
  {
    authenticationScheme: 'OAuth2-Cognito',
    apiEntryPointType: 'API-Gateway-REST',
    cacheScheme: 'Both',
    createSwaggerUi: 'Yes',
    cdnDomainName: 'recs.example.com',
  },
  {
    authenticationScheme: 'OAuth2-Cognito',
    apiEntryPointType: 'API-Gateway-REST',
    cacheScheme: 'Both',
    existingPool: true,
    createSwaggerUi: 'No',
  },
  { authenticationScheme: 'None', apiEntryPointType: 'API-Gateway-REST', cacheScheme: 'Both', createSwaggerUi: 'No' },
  {
    authenticationScheme: 'OAuth2-Cognito',
    apiEntryPointType: 'API-Gateway-HTTP',
    cacheScheme: 'CloudFront',
    createSwaggerUi: 'Yes',
    webAcl: 'Yes',
  },
  {
    authenticationScheme: 'None',
    apiEntryPointType: 'API-Gateway-REST',
    cacheScheme: 'Both',
    createSwaggerUi: 'Yes',
    webAcl: 'Yes',
  },
  {
    authenticationScheme: 'None',
    apiEntryPointType: 'API-Gateway-HTTP',
    cacheScheme: 'CloudFront',
    createSwaggerUi: 'No',
    webAcl: 'true',
  },
  {
    authenticationScheme: 'ApiKey',
    apiEntryPointType: 'API-Gateway-REST',
    cacheScheme: 'API-Gateway-Cache',
    createSwaggerUi: 'Yes',
    webAcl: 'yes',
  },
];

/**
 * The batch connectors on top of a combination: checked by test/infra/connectors.test.ts (not by the
 * combination tests, whose resource counts leave them out), by the cdk-nag tests and `npm run nag:report`.
 */
export const CONNECTOR_COMBINATIONS: readonly Combination[] = [
  {
    authenticationScheme: 'OAuth2-Cognito',
    apiEntryPointType: 'API-Gateway-HTTP',
    cacheScheme: 'CloudFront',
    createSwaggerUi: 'Yes',
    connectorDestinations: 'braze',
    connectorsBatchInferenceBucket: 'mlops-batch-bucket',
  },
  {
    authenticationScheme: 'ApiKey',
    apiEntryPointType: 'API-Gateway-REST',
    cacheScheme: 'None',
    createSwaggerUi: 'No',
    tableNamePrefixes: 'Shop_,Catalog_',
    connectorDestinations: 'Braze, webhook',
  },
];

/** Our CloudFront distribution fronts the API. */
export const hasCdn = (c: Combination) => c.cacheScheme === 'CloudFront' || c.cacheScheme === 'Both';

export function describeCombination(c: Combination): string {
  const pool = c.authenticationScheme === 'OAuth2-Cognito' ? (c.existingPool ? ' (existing pool)' : ' (new pool)') : '';
  const seed = c.generateConfigDatasetGroups ? `, config from ${c.generateConfigDatasetGroups}` : '';
  const waf = c.webAcl ? `, webAcl ${c.webAcl}` : '';
  const tables = c.tableNamePrefixes ? `, tables ${c.tableNamePrefixes}` : '';
  const domain = c.cdnDomainName ? `, domain ${c.cdnDomainName}` : '';
  const batch = c.connectorsBatchInferenceBucket ? ` (batch bucket ${c.connectorsBatchInferenceBucket})` : '';
  const connectors = c.connectorDestinations ? `, connectors ${c.connectorDestinations}${batch}` : '';
  return `${c.authenticationScheme}${pool} + ${c.apiEntryPointType} + ${c.cacheScheme}, swagger ${c.createSwaggerUi}${seed}${waf}${tables}${domain}${connectors}`;
}

/** Tags every combination deploys with (the resourceTags context key, `key=value,...`). */
export const RESOURCE_TAGS = { team: 'personalization', 'cost-center': '4711' };

export function contextOf(c: Combination): Record<string, string> {
  const context: Record<string, string> = {
    resourceTags: Object.entries(RESOURCE_TAGS)
      .map(([key, value]) => `${key}=${value}`)
      .join(', '),
    applicationName: 'shop',
    environmentName: 'staging',
    timeZone: 'Europe/Paris',
    authenticationScheme: c.authenticationScheme,
    apiEntryPointType: c.apiEntryPointType,
    cacheScheme: c.cacheScheme,
    createSwaggerUi: c.createSwaggerUi,
  };
  if (c.existingPool) Object.assign(context, { createCognitoResources: 'No', ...EXISTING_POOL });
  if (c.generateConfigDatasetGroups) context.generateConfigDatasetGroups = c.generateConfigDatasetGroups;
  if (c.webAcl) context.webAcl = c.webAcl;
  if (c.tableNamePrefixes) context.tableNamePrefixes = c.tableNamePrefixes;
  if (c.cdnDomainName)
    Object.assign(context, { cdnDomainName: c.cdnDomainName, cdnCertificateArn: CDN_CERTIFICATE_ARN });
  if (c.connectorDestinations) context.connectorDestinations = c.connectorDestinations;
  if (c.connectorsBatchInferenceBucket) context.connectorsBatchInferenceBucket = c.connectorsBatchInferenceBucket;
  return context;
}

function expectAuthentication(s: Synthesized, c: Combination) {
  const t = s.main;
  const all = [t, ...(s.edge ? [s.edge] : [])];
  const pools = all.reduce(
    (n, template) => n + Object.keys(template.findResources('AWS::Cognito::UserPool')).length,
    0,
  );
  const createsPool = c.authenticationScheme === 'OAuth2-Cognito' && !c.existingPool;
  expect(pools).toBe(createsPool ? 1 : 0);
  if (createsPool) {
    // The pool lives beside the edge function when there is one in us-east-1.
    const home = hasCdn(c) && s.edge ? s.edge : t;
    home.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH']),
      GenerateSecret: false,
    });
    home.hasOutput('CognitoUserPoolId', {});
    home.hasOutput('CognitoUserPoolClientId', {});
  }

  if (c.authenticationScheme === 'ApiKey') {
    t.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    t.resourceCountIs('AWS::ApiGateway::UsagePlan', 1);
    t.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
      KeyId: { Ref: logicalId(t, 'AWS::ApiGateway::ApiKey') },
      UsagePlanId: { Ref: logicalId(t, 'AWS::ApiGateway::UsagePlan') },
    });
    t.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      ApiStages: [{ ApiId: { Ref: logicalId(t, 'AWS::ApiGateway::RestApi') }, Stage: Match.anyValue() }],
    });
    for (const method of ['GET', 'POST']) {
      t.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: method, ApiKeyRequired: true });
    }
    t.hasOutput('ApiKeyId', {});
  } else {
    t.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
    t.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
    expect(t.findOutputs('ApiKeyId')).toEqual({});
  }

  const oauth = c.authenticationScheme === 'OAuth2-Cognito';
  // Behind CloudFront the edge-auth function checks tokens; a REST authorizer stands alone.
  if (oauth && c.apiEntryPointType === 'API-Gateway-REST' && !hasCdn(c)) {
    const authorizer = logicalId(t, 'AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS' });
    const arns = t.toJSON().Resources[authorizer].Properties.ProviderARNs.map(render);
    if (c.existingPool) {
      expect(arns).toEqual([
        `arn:{AWS::Partition}:cognito-idp:eu-central-1:123456789012:userpool/${EXISTING_POOL.cognitoUserPoolId}`,
      ]);
    } else {
      expect(arns).toEqual([`{${logicalId(t, 'AWS::Cognito::UserPool')}.Arn}`]);
    }
    for (const method of ['GET', 'POST']) {
      t.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: method,
        AuthorizationType: 'COGNITO_USER_POOLS',
        AuthorizerId: { Ref: authorizer },
        AuthorizationScopes: ['aws.cognito.signin.user.admin'],
      });
    }
  } else {
    t.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
  }
  if (oauth && c.apiEntryPointType === 'API-Gateway-HTTP' && c.cacheScheme === 'None') {
    const authorizer = logicalId(t, 'AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT' });
    const jwt = t.toJSON().Resources[authorizer].Properties.JwtConfiguration;
    if (c.existingPool) {
      expect(render(jwt.Issuer)).toBe(
        `https://cognito-idp.eu-central-1.{AWS::URLSuffix}/${EXISTING_POOL.cognitoUserPoolId}`,
      );
      expect(jwt.Audience).toEqual([EXISTING_POOL.cognitoUserPoolClientId]);
    } else {
      expect(render(jwt.Issuer)).toBe(
        `https://cognito-idp.eu-west-1.{AWS::URLSuffix}/{${logicalId(t, 'AWS::Cognito::UserPool')}}`,
      );
      expect(jwt.Audience).toEqual([{ Ref: logicalId(t, 'AWS::Cognito::UserPoolClient') }]);
    }
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: authorizer },
    });
  } else {
    t.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  }
}

function expectEntryPoint(s: Synthesized, c: Combination) {
  const t = s.main;
  // Browsers' preflight requests never need a key or a token.
  const preflights = Object.values(
    t.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }),
  );
  for (const preflight of preflights) {
    expect(preflight.Properties.ApiKeyRequired).not.toBe(true);
    expect(preflight.Properties.AuthorizationType).toBe('NONE');
  }
  const dataPlane = { 'Fn::GetAtt': [functionId(t, FUNCTIONS.dataPlane), 'Arn'] };
  if (c.apiEntryPointType === 'API-Gateway-HTTP') {
    t.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    t.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP', Name: 'shop-staging' });
    t.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationUri: dataPlane,
      PayloadFormatVersion: '2.0',
    });
    t.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    t.hasOutput('HttpApiUrl', {});
    expect(t.findOutputs('RestApiUrl')).toEqual({});
  } else {
    t.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    t.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'shop-staging' });
    t.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'staging' });
    t.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
    t.hasOutput('RestApiUrl', {});
    expect(t.findOutputs('HttpApiUrl')).toEqual({});
    // The control plane keeps this stage's cache in sync.
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: FUNCTIONS.syncCacheSettings,
      Environment: {
        Variables: Match.objectLike({
          P13N_REST_API_ID: { Ref: logicalId(t, 'AWS::ApiGateway::RestApi') },
          P13N_REST_API_STAGE: 'staging',
        }),
      },
    });
  }
}

function expectCache(s: Synthesized, c: Combination) {
  const t = s.main;
  const distributions = Object.keys(t.findResources('AWS::CloudFront::Distribution')).length;
  const swagger = ['yes', 'true'].includes(c.createSwaggerUi.toLowerCase()) ? 1 : 0;
  if (hasCdn(c)) {
    expect(distributions).toBe(1 + swagger);
    const cachePolicy = logicalId(t, 'AWS::CloudFront::CachePolicy');
    const originRequestPolicy = logicalId(t, 'AWS::CloudFront::OriginRequestPolicy');
    const cdn = logicalId(t, 'AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ Comment: 'Personalization APIs' }),
    });
    const behavior = t.toJSON().Resources[cdn].Properties.DistributionConfig.DefaultCacheBehavior;
    expect(behavior.CachePolicyId).toEqual({ Ref: cachePolicy });
    expect(behavior.OriginRequestPolicyId).toEqual({ Ref: originRequestPolicy });
    const origin = t.toJSON().Resources[cdn].Properties.DistributionConfig.Origins[0];
    const rest = c.apiEntryPointType === 'API-Gateway-REST';
    if (rest) {
      // The stage's regional endpoint (no second, edge-optimized CloudFront), the stage as origin path.
      t.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
      // The host of the stage URL https://{api}.execute-api.{region}.{suffix}/{stage}/.
      expect(origin.DomainName['Fn::Select'][0]).toBe(2);
      const url = origin.DomainName['Fn::Select'][1]['Fn::Split'][1];
      expect(render(url)).toBe(
        `https://{${logicalId(t, 'AWS::ApiGateway::RestApi')}}.execute-api.eu-west-1.{AWS::URLSuffix}/{${logicalId(t, 'AWS::ApiGateway::Stage')}}/`,
      );
      expect(origin.OriginPath).toBe('/staging');
    } else {
      expect(origin.DomainName).toEqual({
        'Fn::Select': [
          2,
          { 'Fn::Split': ['/', { 'Fn::GetAtt': [logicalId(t, 'AWS::ApiGatewayV2::Api'), 'ApiEndpoint'] }] },
        ],
      });
    }
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: FUNCTIONS.syncCacheSettings,
      Environment: {
        Variables: Match.objectLike({
          P13N_CACHE_POLICY_ID: { Ref: cachePolicy },
          P13N_ORIGIN_REQUEST_POLICY_ID: { Ref: originRequestPolicy },
        }),
      },
    });
    t.hasOutput('CdnUrl', {});
    const viewer = t.toJSON().Resources[cdn].Properties.DistributionConfig.ViewerCertificate;
    if (c.cdnDomainName) {
      // Its own domain: the ACM certificate, SNI, and TLS 1.2 at least (TLSv1.2_2021).
      expect(t.toJSON().Resources[cdn].Properties.DistributionConfig.Aliases).toEqual([c.cdnDomainName]);
      expect(viewer).toEqual({
        AcmCertificateArn: CDN_CERTIFICATE_ARN,
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      });
      expect(t.findOutputs('CdnUrl').CdnUrl!.Value).toBe(`https://${c.cdnDomainName}/`);
      t.hasOutput('CdnAliasTarget', {});
    } else {
      expect(viewer).toBeUndefined();
      expect(t.findOutputs('CdnAliasTarget')).toEqual({});
    }
    t.hasOutput('CachePolicyId', {});
    t.hasOutput('OriginRequestPolicyId', {});
    // The OpenAPI servers list the CDN only: the API's own URL refuses calls without the origin secret.
    const openApi = t.toJSON().Resources[functionId(t, FUNCTIONS.generateOpenApi)].Properties;
    const cdnUrl = c.cdnDomainName ? `https://${c.cdnDomainName}/` : `https://{${cdn}.DomainName}/`;
    expect(render(openApi.Environment.Variables.P13N_API_URLS)).toBe(cdnUrl);

    expectOriginSecret(t, origin);

    const associations = behavior.LambdaFunctionAssociations;
    if (c.authenticationScheme === 'OAuth2-Cognito') {
      expect(associations).toHaveLength(1);
      expect(associations[0].EventType).toBe('viewer-request');
      expectEdgeFunction(s, c);
    } else {
      expect(associations).toBeUndefined();
      // Only the CloudFront web ACL needs the us-east-1 stack then.
      if (!c.webAcl) expect(s.edge).toBeUndefined();
    }
  } else {
    expect(distributions).toBe(swagger);
    // The API's own URL is the entry: no secret header to check.
    t.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const env = t.toJSON().Resources[functionId(t, FUNCTIONS.dataPlane)].Properties.Environment.Variables;
    expect(env.P13N_ORIGIN_SECRET_ARN).toBeUndefined();
    t.resourceCountIs('AWS::CloudFront::CachePolicy', 0);
    t.resourceCountIs('AWS::CloudFront::OriginRequestPolicy', 0);
    expect(s.edge).toBeUndefined();
    expect(t.findOutputs('CdnUrl')).toEqual({});
  }

  if (c.apiEntryPointType === 'API-Gateway-REST') {
    const stage = t.toJSON().Resources[logicalId(t, 'AWS::ApiGateway::Stage')].Properties;
    if (c.cacheScheme === 'API-Gateway-Cache' || c.cacheScheme === 'Both') {
      expect(stage.CacheClusterEnabled).toBe(true);
      expect(stage.CacheClusterSize).toBe('0.5');
      expect(stage.MethodSettings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ HttpMethod: 'GET', ResourcePath: '/~1{proxy+}', CachingEnabled: true }),
        ]),
      );
      t.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'GET',
        RequestParameters: Match.objectLike({
          'method.request.path.proxy': true,
          'method.request.querystring.numResults': false,
        }),
        Integration: Match.objectLike({
          CacheKeyParameters: Match.arrayWith(['method.request.path.proxy', 'method.request.querystring.numResults']),
        }),
      });
    } else {
      expect(stage.CacheClusterEnabled).toBeUndefined();
      expect(stage.MethodSettings ?? []).not.toEqual(
        expect.arrayContaining([expect.objectContaining({ CachingEnabled: true })]),
      );
    }
  }
}

/**
 * Issue 13 item 3: CloudFront adds the generated secret as an origin header (a dynamic reference, never
 * the value), and the data plane is told where the secret is and may read it, so a direct call to the
 * execute-api URL, which lacks the header, is refused.
 */
function expectOriginSecret(t: Synthesized['main'], origin: Record<string, any>) {
  const secret = logicalId(t, 'AWS::SecretsManager::Secret');
  t.hasResourceProperties('AWS::SecretsManager::Secret', {
    GenerateSecretString: Match.objectLike({ PasswordLength: 48, ExcludePunctuation: true }),
  });
  expect(origin.OriginCustomHeaders).toHaveLength(1);
  const header = origin.OriginCustomHeaders[0];
  expect(header.HeaderName).toBe('x-p13n-origin-verify');
  expect(render(header.HeaderValue)).toBe(`{{resolve:secretsmanager:{${secret}}:SecretString:::}}`);
  const dataPlane = functionId(t, FUNCTIONS.dataPlane);
  const env = t.toJSON().Resources[dataPlane].Properties.Environment.Variables;
  expect(env.P13N_ORIGIN_SECRET_ARN).toEqual({ Ref: secret });
  expect(
    roleStatements(t, dataPlane).some(
      (s) => [s.Action].flat().includes('secretsmanager:GetSecretValue') && s.Resource?.Ref === secret,
    ),
  ).toBe(true);
}

function expectEdgeFunction(s: Synthesized, c: Combination) {
  // eu-west-1: the function and (for a new pool) the pool live in the us-east-1 edge stack.
  expect(s.edge).toBeDefined();
  const edge = s.edge!;
  expect(s.stacks.edge!.region).toBe('us-east-1');
  const fnId = logicalId(edge, 'AWS::Lambda::Function', {
    Description: 'Personalization APIs: verifies Cognito JWTs on viewer requests',
  });
  const fn = edge.toJSON().Resources[fnId].Properties;
  expect(fn.Runtime).toBe('nodejs22.x');
  expect(fn.Handler).toBe('index.handler');
  expect(fn.Environment).toBeUndefined();
  const code = render(fn.Code.ZipFile);
  expect(code).not.toMatch(/@@P13N_COGNITO_/);
  expect(code).not.toMatch(/process\.env\.P13N_COGNITO_/);
  if (c.existingPool) {
    expect(code).toContain(EXISTING_POOL.cognitoUserPoolId);
    expect(code).toContain(EXISTING_POOL.cognitoUserPoolClientId);
    expect(code).toContain('eu-central-1');
  } else {
    expect(code).toContain(`{${logicalId(edge, 'AWS::Cognito::UserPool')}}`);
    expect(code).toContain(`{${logicalId(edge, 'AWS::Cognito::UserPoolClient')}}`);
    expect(code).toContain('us-east-1');
  }
  const role = edge.toJSON().Resources[fn.Role['Fn::GetAtt'][0]].Properties;
  const principals = role.AssumeRolePolicyDocument.Statement.map((st: any) => st.Principal.Service);
  expect(principals).toEqual(expect.arrayContaining(['lambda.amazonaws.com', 'edgelambda.amazonaws.com']));
  // The main stack reads the version ARN back from us-east-1.
  s.main.hasResourceProperties('Custom::CrossRegionStringParameterReader', { Region: 'us-east-1' });
}

export function expectCombination(s: Synthesized, c: Combination) {
  expectSharedResources(s);
  expectAuthentication(s, c);
  expectEntryPoint(s, c);
  expectCache(s, c);
  expectSwaggerUi(s);
  expectHardening(s, c);
  expectTagged(s, RESOURCE_TAGS);
}
