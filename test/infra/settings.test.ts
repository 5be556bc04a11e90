import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { InvalidSettingsError, parseSettings } from '../../infra/settings.ts';
import { EXISTING_POOL } from './combinations.ts';
import { synth } from './synth.ts';

const parse = (context: Record<string, unknown>) => parseSettings((key) => context[key]);

function problems(context: Record<string, unknown>): string {
  try {
    parse(context);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSettingsError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(context)} to be rejected`);
}

const AUTH = ['OAuth2-Cognito', 'ApiKey', 'None'] as const;
const ENTRY = ['API-Gateway-HTTP', 'API-Gateway-REST'] as const;
const CACHE = ['CloudFront', 'API-Gateway-Cache', 'Both', 'None'] as const;

/** The combinations the README documents as supported. */
const SUPPORTED = new Set([
  'OAuth2-Cognito/API-Gateway-HTTP/CloudFront',
  'OAuth2-Cognito/API-Gateway-HTTP/None',
  'None/API-Gateway-HTTP/CloudFront',
  'None/API-Gateway-HTTP/None',
  'OAuth2-Cognito/API-Gateway-REST/API-Gateway-Cache',
  'OAuth2-Cognito/API-Gateway-REST/None',
  'ApiKey/API-Gateway-REST/API-Gateway-Cache',
  'ApiKey/API-Gateway-REST/None',
  'None/API-Gateway-REST/API-Gateway-Cache',
  'None/API-Gateway-REST/None',
  'OAuth2-Cognito/API-Gateway-REST/Both',
  'None/API-Gateway-REST/Both',
]);

describe('deployment settings', () => {
  test('an empty context is the recommended combination with the documented defaults', () => {
    expect(parse({})).toEqual({
      applicationName: 'personalization-apis',
      environmentName: 'prod',
      timeZone: 'UTC',
      authenticationScheme: 'OAuth2-Cognito',
      apiEntryPointType: 'API-Gateway-HTTP',
      cacheScheme: 'CloudFront',
      cognito: { kind: 'create' },
      cloudFront: true,
      apiGatewayCache: false,
      generateConfigDatasetGroups: undefined,
      createSwaggerUi: true,
      appConfigExtensionLayerArn: undefined,
      experimentAnalytics: false,
      tableNamePrefixes: ['PersonalizationApiItemMetadata_'],
      webAcl: false,
      resourceTags: {},
      cdnDomain: undefined,
    });
  });

  test('cdnDomainName needs cdnCertificateArn (a us-east-1 ACM ARN) and a CloudFront cache scheme', () => {
    const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123';
    expect(parse({ cdnDomainName: 'api.example.com', cdnCertificateArn: arn }).cdnDomain).toEqual({
      name: 'api.example.com',
      certificateArn: arn,
    });
    expect(problems({ cdnDomainName: 'api.example.com' })).toContain(
      'cdnDomainName: cdnDomainName and cdnCertificateArn go together',
    );
    expect(
      problems({ cdnDomainName: 'api.example.com', cdnCertificateArn: arn.replace('us-east-1', 'eu-west-1') }),
    ).toContain('cdnCertificateArn: expected an ACM certificate ARN in us-east-1');
    expect(problems({ cdnDomainName: 'api.example.com', cdnCertificateArn: arn, cacheScheme: 'None' })).toContain(
      "cdnDomainName: needs cacheScheme CloudFront or Both, got 'None'",
    );
  });

  test('resourceTags reads key=value pairs or an object from cdk.json, and rejects bad tags by name', () => {
    expect(parse({ resourceTags: 'team=shop, cost-center = 42 ,env=' }).resourceTags).toEqual({
      team: 'shop',
      'cost-center': '42',
      env: '',
    });
    expect(parse({ resourceTags: { Project: 'p13n' } }).resourceTags).toEqual({ Project: 'p13n' });
    expect(problems({ resourceTags: 'team' })).toContain(
      "resourceTags: expected key=value pairs separated by commas, got 'team'",
    );
    expect(problems({ resourceTags: 'aws:owner=me' })).toContain("resourceTags: invalid tag key 'aws:owner'");
  });

  test('tableNamePrefixes lists the prefixes IAM allows; webAcl reads like the other yes/no keys', () => {
    expect(parse({ tableNamePrefixes: ' Shop_, PersonalizationApiItemMetadata_ ,' }).tableNamePrefixes).toEqual([
      'Shop_',
      'PersonalizationApiItemMetadata_',
    ]);
    expect(problems({ tableNamePrefixes: 'ok_,not ok' })).toContain(
      'tableNamePrefixes: expected comma-separated DynamoDB table name prefixes',
    );
    expect(problems({ tableNamePrefixes: ',' })).toContain('tableNamePrefixes: expected comma-separated');
    expect(parse({ webAcl: 'Yes' }).webAcl).toBe(true);
    expect(problems({ webAcl: 'sometimes' })).toContain("webAcl: expected Yes | No | true | false, got 'sometimes'");
  });

  test.each([
    ['Yes', true],
    ['yes', true],
    ['TRUE', true],
    [true, true],
    ['No', false],
    ['nO', false],
    ['false', false],
    [false, false],
  ])('createSwaggerUi=%s reads as %s', (value, expected) => {
    expect(parse({ createSwaggerUi: value }).createSwaggerUi).toBe(expected);
  });

  test('a yes/no key with another value is rejected, naming the key', () => {
    expect(problems({ createSwaggerUi: 'maybe' })).toContain(
      "createSwaggerUi: expected Yes | No | true | false, got 'maybe'",
    );
    expect(problems({ createCognitoResources: 'y' })).toContain('createCognitoResources: expected Yes | No');
  });

  test.each([
    ['authenticationScheme', 'Oauth2', 'expected one of None | ApiKey | OAuth2-Cognito'],
    ['apiEntryPointType', 'API-Gateway-WebSocket', 'expected one of API-Gateway-HTTP | API-Gateway-REST'],
    ['cacheScheme', 'Redis', 'expected one of CloudFront | API-Gateway-Cache | Both | None'],
    ['timeZone', 'Mars/Olympus', 'expected an IANA time zone name'],
    ['applicationName', 'my app!', 'expected a letter then up to 39 letters'],
    ['environmentName', '1prod', 'expected a letter then up to 39 letters'],
    ['generateConfigDatasetGroups', 'movies,bad name', "expected 'all' or comma-separated"],
    ['appConfigExtensionLayerArn', 'layer-42', 'expected a Lambda layer version ARN'],
  ])('unknown value of %s is rejected, naming the key', (key, value, message) => {
    const text = problems({ [key]: value });
    expect(text).toMatch(/^Invalid deployment settings/);
    expect(text).toContain(`${key}: ${message}`);
  });

  test('every auth / entry point / cache combination is accepted exactly when supported', () => {
    for (const authenticationScheme of AUTH) {
      for (const apiEntryPointType of ENTRY) {
        for (const cacheScheme of CACHE) {
          const key = `${authenticationScheme}/${apiEntryPointType}/${cacheScheme}`;
          const context = { authenticationScheme, apiEntryPointType, cacheScheme };
          if (SUPPORTED.has(key)) expect(() => parse(context), key).not.toThrow();
          else expect(() => parse(context), key).toThrow(InvalidSettingsError);
        }
      }
    }
  });

  test('ApiKey with an HTTP API says ApiKey needs REST', () => {
    expect(problems({ authenticationScheme: 'ApiKey', cacheScheme: 'None' })).toContain(
      'authenticationScheme: ApiKey requires apiEntryPointType API-Gateway-REST',
    );
  });

  test('REST with cacheScheme CloudFront says REST allows only API-Gateway-Cache, Both or None', () => {
    expect(
      problems({ authenticationScheme: 'None', apiEntryPointType: 'API-Gateway-REST', cacheScheme: 'CloudFront' }),
    ).toContain("cacheScheme: API-Gateway-REST allows only API-Gateway-Cache, Both or None, got 'CloudFront'");
  });

  test('ApiKey with cacheScheme Both says why CloudFront cannot front it', () => {
    expect(
      problems({ authenticationScheme: 'ApiKey', apiEntryPointType: 'API-Gateway-REST', cacheScheme: 'Both' }),
    ).toContain('cacheScheme: ApiKey allows only API-Gateway-Cache or None: behind CloudFront');
  });

  test('Both on REST means CloudFront and the stage cache', () => {
    const s = parse({ authenticationScheme: 'None', apiEntryPointType: 'API-Gateway-REST', cacheScheme: 'Both' });
    expect([s.cloudFront, s.apiGatewayCache]).toEqual([true, true]);
  });

  test.each(['API-Gateway-Cache', 'Both'])(
    'HTTP with cacheScheme %s says HTTP APIs have no stage cache',
    (cacheScheme) => {
      expect(problems({ authenticationScheme: 'None', cacheScheme })).toContain('API-Gateway-HTTP has no stage cache');
    },
  );

  test('every bad value is reported at once', () => {
    const text = problems({ cacheScheme: 'Redis', createSwaggerUi: 'sure', timeZone: 'Nowhere' });
    expect(text.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(3);
  });

  test('an existing pool needs both IDs, and its region comes from the pool ID', () => {
    expect(problems({ createCognitoResources: 'No' })).toContain(
      'createCognitoResources: No with OAuth2-Cognito needs cognitoUserPoolId and cognitoUserPoolClientId',
    );
    expect(parse({ createCognitoResources: 'No', ...EXISTING_POOL }).cognito).toEqual({
      kind: 'existing',
      userPoolId: EXISTING_POOL.cognitoUserPoolId,
      clientId: EXISTING_POOL.cognitoUserPoolClientId,
      region: 'eu-central-1',
    });
    expect(problems({ createCognitoResources: 'No', ...EXISTING_POOL, cognitoUserPoolId: 'pool' })).toContain(
      'cognitoUserPoolId: expected a user pool ID',
    );
    expect(problems({ authenticationScheme: 'None', ...EXISTING_POOL })).toContain(
      'cognitoUserPoolId: is only used with',
    );
  });

  test('Cognito settings are ignored unless the scheme is OAuth2-Cognito', () => {
    expect(parse({ authenticationScheme: 'None', createCognitoResources: 'Yes' }).cognito).toBeUndefined();
  });

  test('an invalid combination fails synth before any stack exists', () => {
    expect(() => synth({ authenticationScheme: 'ApiKey', apiEntryPointType: 'API-Gateway-HTTP' })).toThrow(
      /authenticationScheme: ApiKey requires apiEntryPointType API-Gateway-REST/,
    );
  });

  test('`cdk synth` with an invalid combination exits non-zero with the message', async () => {
    const run = promisify(execFile)(
      'npx',
      [
        'cdk',
        'synth',
        '--quiet',
        '-o',
        mkdtempSync(join(tmpdir(), 'p13n-invalid-synth-')),
        '-c',
        'authenticationScheme=None',
        '-c',
        'apiEntryPointType=API-Gateway-REST',
        '-c',
        'cacheScheme=CloudFront',
      ],
      { env: { ...process.env, AWS_REGION: 'eu-west-1' } },
    );
    await expect(run).rejects.toMatchObject({
      code: expect.any(Number),
      stderr: expect.stringContaining(
        "cacheScheme: API-Gateway-REST allows only API-Gateway-Cache, Both or None, got 'CloudFront'",
      ),
    });
  }, 120_000);
});
