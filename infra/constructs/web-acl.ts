/**
 * The optional AWS WAF web ACL (context key `webAcl`): AWS managed rule groups (common exploits,
 * known bad inputs, IP reputation) and a per-IP rate limit, in front of CloudFront (scope CLOUDFRONT,
 * which AWS requires in us-east-1) or the REST API stage (scope REGIONAL).
 */
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Requests one client IP may make in any 5-minute window before WAF blocks it. */
export const RATE_LIMIT_PER_5_MINUTES = 3000;

/** The managed rule groups, in priority order. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

/**
 * Common-rule-set rules counted rather than blocked: event batches and POST rerank lists can exceed
 * the 8 KB body limit, and server-side callers often send no User-Agent.
 */
const COUNTED_COMMON_RULES = ['SizeRestrictions_BODY', 'NoUserAgent_HEADER'];

export interface WebAclProps {
  readonly scope: 'CLOUDFRONT' | 'REGIONAL';
  /** Prefix of the CloudWatch metric names. */
  readonly metricPrefix: string;
}

export class WebAcl extends Construct {
  public readonly acl: CfnWebACL;
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const visibility = (name: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.metricPrefix}-${name}`,
    });
    const managed: CfnWebACL.RuleProperty[] = MANAGED_RULE_GROUPS.map((name, index) => ({
      name,
      priority: index + 1,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides:
            name === 'AWSManagedRulesCommonRuleSet'
              ? COUNTED_COMMON_RULES.map((rule) => ({ name: rule, actionToUse: { count: {} } }))
              : undefined,
        },
      },
      visibilityConfig: visibility(name),
    }));
    this.acl = new CfnWebACL(this, 'Acl', {
      scope: props.scope,
      defaultAction: { allow: {} },
      description: 'Personalization APIs: managed rule groups and a per-IP rate limit',
      visibilityConfig: visibility('all'),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: RATE_LIMIT_PER_5_MINUTES } },
          visibilityConfig: visibility('rate-limit'),
        },
        ...managed,
      ],
    });
    this.arn = this.acl.attrArn;
  }
}
