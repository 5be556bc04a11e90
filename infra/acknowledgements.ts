/**
 * cdk-nag (AWS Solutions pack) acknowledgements. Every finding the app accepts on purpose is
 * acknowledged on the construct it concerns, with the reason, through CDK's own
 * `Validations.of(construct).acknowledge()`; nothing is acknowledged app- or stack-wide. The
 * helpers here keep the rule IDs and reasons in one shape and cover the helper functions CDK adds
 * on its own (bucket notifications, custom-resource providers, bucket deployments).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/** `{ 'AwsSolutions-IAM5[Resource::*]': 'why', ... }` */
export type Findings = Record<string, string>;

export function acknowledge(construct: IConstruct, findings: Findings): void {
  for (const [id, reason] of Object.entries(findings)) Validations.of(construct).acknowledge({ id, reason });
}

/**
 * The IAM5 finding ID cdk-nag reports for a wildcard resource ARN (tokens rendered the way cdk-nag
 * renders them), e.g. `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kinesis:…:stream/*]`.
 */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;
}

/** Acknowledges the IAM5 findings of those `resources` that hold a `*`, on `construct`, all for one reason. */
export function acknowledgeWildcardResources(
  construct: IConstruct,
  resources: readonly string[],
  reason: string,
): void {
  const findings = resources.map((r) => wildcardResourceFinding(construct, r)).filter((id) => id.includes('*'));
  acknowledge(construct, Object.fromEntries(findings.map((id) => [id, reason])));
}

/** The finding of a role with AWS's basic Lambda execution policy. */
export const BASIC_EXECUTION_ROLE_FINDING =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/** Why the Lambda functions CDK itself adds to a stack are left as CDK builds them. */
export const CDK_HELPER_REASON =
  'A helper function that aws-cdk-lib adds and owns (it chooses its runtime, role and policies); it runs ' +
  'only while CloudFormation deploys the stack.';

/**
 * Acknowledges the basic-execution-policy finding of the bucket-notifications helper CDK adds under
 * `stack` for S3 EventBridge notifications. Call it once the stack's constructs exist.
 */
export function acknowledgeCdkHelpers(stack: Stack): void {
  for (const child of stack.node.children) {
    if (/^BucketNotificationsHandler[0-9a-f]{32}$/.test(child.node.id)) {
      acknowledge(child, { [BASIC_EXECUTION_ROLE_FINDING]: CDK_HELPER_REASON });
    }
  }
}
