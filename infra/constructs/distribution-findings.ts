/**
 * The cdk-nag findings every CloudFront distribution of the app accepts, with their reasons: no geo
 * restriction, the default *.cloudfront.net certificate, and (without the webAcl context key) no WAF.
 */
import type { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import { acknowledge, type Findings } from '../acknowledgements.ts';

export function acknowledgeDistribution(distribution: Distribution, hasWebAcl: boolean): void {
  const findings: Findings = {
    'AwsSolutions-CFR1':
      'No geo restriction: the APIs serve every country the operator sells in; restrict with the web ACL if needed.',
    'AwsSolutions-CFR4':
      'The distribution uses the default *.cloudfront.net certificate, whose TLS policy CloudFront fixes; ' +
      'TLSv1.2_2021 applies as soon as an alternate domain with an ACM certificate is added.',
  };
  if (!hasWebAcl) {
    findings['AwsSolutions-CFR2'] =
      'AWS WAF is opt-in (context key webAcl=Yes adds managed rule groups and a per-IP rate limit): it is ' +
      'billed per web ACL, rule and request.';
  }
  acknowledge(distribution, findings);
}
