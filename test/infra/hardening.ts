/**
 * What the AWS Solutions review asks of every combination, asserted on the templates (the rule pack
 * itself runs on every synth in synth.ts): our functions on nodejs24.x with roles of their own and
 * no AWS-managed policy, access logs for the staging bucket, API stages and CloudFront into a log
 * bucket with a lifecycle rule, state machines logging ALL with X-Ray, REST request validation and
 * execution logs, Cognito's password policy, MFA and threat protection, and the web ACLs when
 * `webAcl` is on.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { LOG_RETENTION_DAYS } from '../../infra/constructs/log-bucket.ts';
import { MANAGED_RULE_GROUPS, RATE_LIMIT_PER_5_MINUTES } from '../../infra/constructs/web-acl.ts';
import { type Combination, hasCdn } from './combinations.ts';
import { FUNCTIONS, functionId, logicalId, stagingBucketId } from './expectations.ts';
import type { Synthesized } from './synth.ts';

function logBucketId(t: Template): string {
  return logicalId(t, 'AWS::S3::Bucket', { LifecycleConfiguration: Match.anyValue() });
}

function expectFunctionsAndRoles(s: Synthesized) {
  const t = s.main;
  const functions = Object.values(FUNCTIONS).filter(
    (d) => d !== FUNCTIONS.generateConfig || s.settings.generateConfigDatasetGroups !== undefined,
  );
  for (const description of functions) {
    const fn = t.toJSON().Resources[functionId(t, description)];
    expect(fn.Properties.Runtime, description).toBe('nodejs24.x');
    const role = t.toJSON().Resources[fn.Properties.Role['Fn::GetAtt'][0]].Properties;
    expect(role.ManagedPolicyArns, description).toBeUndefined();
    // Its logs: the function's own log group, nothing wider.
    const logGroup = fn.Properties.LoggingConfig.LogGroup.Ref;
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: fn.Properties.Role['Fn::GetAtt'][0] }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] },
          }),
        ]),
      },
    });
  }
}

function expectAccessLogs(s: Synthesized, c: Combination) {
  const t = s.main;
  const logs = logBucketId(t);
  t.hasResourceProperties('AWS::S3::Bucket', {
    LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: LOG_RETENTION_DAYS, Status: 'Enabled' })] },
    PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
  });
  const staging = t.toJSON().Resources[stagingBucketId(t)].Properties;
  expect(staging.LoggingConfiguration).toEqual({
    DestinationBucketName: { Ref: logs },
    LogFilePrefix: 'staging-bucket/',
  });
  for (const distribution of Object.values(t.findResources('AWS::CloudFront::Distribution'))) {
    const config = distribution.Properties.DistributionConfig;
    expect(config.Logging.Bucket).toEqual({ 'Fn::GetAtt': [logs, 'RegionalDomainName'] });
    expect(['cdn/', 'swagger-ui/']).toContain(config.Logging.Prefix);
  }
  if (c.apiEntryPointType === 'API-Gateway-HTTP') {
    const stage = Object.values(t.findResources('AWS::ApiGatewayV2::Stage'))[0]!.Properties;
    expect(stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][1]).toBe('Arn');
    expect(JSON.parse(stage.AccessLogSettings.Format)).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
    });
  } else {
    const stage = t.toJSON().Resources[logicalId(t, 'AWS::ApiGateway::Stage')].Properties;
    expect(stage.AccessLogSetting.DestinationArn['Fn::GetAtt'][1]).toBe('Arn');
    expect(JSON.parse(stage.AccessLogSetting.Format)).toMatchObject({ requestId: '$context.requestId' });
    expect(stage.MethodSettings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          HttpMethod: '*',
          ResourcePath: '/*',
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        }),
      ]),
    );
    const validator = logicalId(t, 'AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    for (const method of ['GET', 'POST']) {
      t.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: method,
        RequestValidatorId: { Ref: validator },
      });
    }
  }
}

function expectStateMachineLogging(s: Synthesized) {
  const machines = Object.values(s.main.findResources('AWS::StepFunctions::StateMachine'));
  expect(machines).toHaveLength(2);
  for (const machine of machines) {
    expect(machine.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    expect(machine.Properties.TracingConfiguration).toEqual({ Enabled: true });
  }
}

function expectCognito(s: Synthesized, c: Combination) {
  if (c.authenticationScheme !== 'OAuth2-Cognito' || c.existingPool) return;
  const home = hasCdn(c) && s.edge ? s.edge : s.main;
  home.hasResourceProperties('AWS::Cognito::UserPool', {
    Policies: {
      PasswordPolicy: Match.objectLike({
        MinimumLength: 12,
        RequireLowercase: true,
        RequireUppercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
      }),
    },
    MfaConfiguration: 'OPTIONAL',
    EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
    UserPoolTier: 'PLUS',
    UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
  });
}

function expectWebAcls(s: Synthesized, c: Combination) {
  const templates = [s.main, ...(s.edge ? [s.edge] : [])];
  const acls = templates.flatMap((t) => Object.values(t.findResources('AWS::WAFv2::WebACL')));
  if (!c.webAcl) {
    expect(acls).toEqual([]);
    for (const d of Object.values(s.main.findResources('AWS::CloudFront::Distribution'))) {
      expect(d.Properties.DistributionConfig.WebACLId).toBeUndefined();
    }
    return;
  }
  for (const acl of acls) {
    const rules = acl.Properties.Rules;
    expect(rules[0]).toMatchObject({
      Name: 'RateLimitPerIp',
      Action: { Block: {} },
      Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: RATE_LIMIT_PER_5_MINUTES } },
    });
    expect(rules.slice(1).map((r: any) => r.Statement.ManagedRuleGroupStatement.Name)).toEqual([
      ...MANAGED_RULE_GROUPS,
    ]);
    expect(acl.Properties.DefaultAction).toEqual({ Allow: {} });
  }
  if (hasCdn(c)) {
    // CloudFront web ACLs exist in us-east-1 only: the edge stack's, read back across regions.
    expect(s.edge).toBeDefined();
    s.edge!.resourceCountIs('AWS::WAFv2::WebACL', 1);
    s.edge!.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    const distributions = Object.values(s.main.findResources('AWS::CloudFront::Distribution'));
    expect(distributions.length).toBeGreaterThan(0);
    for (const d of distributions) expect(d.Properties.DistributionConfig.WebACLId).toBeDefined();
  }
  if (c.apiEntryPointType === 'API-Gateway-REST') {
    const acl = logicalId(s.main, 'AWS::WAFv2::WebACL', { Scope: 'REGIONAL' });
    const association = Object.values(s.main.findResources('AWS::WAFv2::WebACLAssociation'))[0]!.Properties;
    expect(association.WebACLArn).toEqual({ 'Fn::GetAtt': [acl, 'Arn'] });
    expect(JSON.stringify(association.ResourceArn)).toContain(logicalId(s.main, 'AWS::ApiGateway::Stage'));
  }
}

export function expectHardening(s: Synthesized, c: Combination) {
  expectFunctionsAndRoles(s);
  expectAccessLogs(s, c);
  expectStateMachineLogging(s);
  expectCognito(s, c);
  expectWebAcls(s, c);
}
