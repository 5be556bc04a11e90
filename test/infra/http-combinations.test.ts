import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { contextOf, describeCombination, expectCombination, VALID_COMBINATIONS } from './combinations.ts';
import { expectSharedResources, expectSwaggerUi, logicalId, render } from './expectations.ts';
import { synth } from './synth.ts';

describe('HTTP API combinations', { timeout: 120_000 }, () => {
  for (const combination of VALID_COMBINATIONS.filter((c) => c.apiEntryPointType === 'API-Gateway-HTTP')) {
    test(describeCombination(combination), () => {
      const synthesized = synth(contextOf(combination));
      expect(synthesized.settings.apiEntryPointType).toBe('API-Gateway-HTTP');
      expectCombination(synthesized, combination);
    });
  }

  test('the default context in us-east-1 keeps the edge function and its pool in the one stack', () => {
    const s = synth({}, 'us-east-1');
    expect(s.stacks.main.stackName).toBe('personalization-apis-prod');
    expect(s.edge).toBeUndefined();
    expectSharedResources(s);
    expectSwaggerUi(s);
    const t = s.main;
    const pool = logicalId(t, 'AWS::Cognito::UserPool');
    const client = logicalId(t, 'AWS::Cognito::UserPoolClient');
    const edge = logicalId(t, 'AWS::Lambda::Function', {
      Description: 'Personalization APIs: verifies Cognito JWTs on viewer requests',
    });
    const code = render(t.toJSON().Resources[edge].Properties.Code.ZipFile);
    expect(code).toContain(`{${pool}}`);
    expect(code).toContain(`{${client}}`);
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          LambdaFunctionAssociations: [
            { EventType: 'viewer-request', LambdaFunctionARN: { Ref: logicalId(t, 'AWS::Lambda::Version') } },
          ],
        }),
      }),
    });
    t.resourceCountIs('Custom::CrossRegionStringParameterReader', 0);
    t.hasOutput('CognitoUserPoolId', {});
  });
});
