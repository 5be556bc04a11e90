/**
 * The cdk-nag findings every CloudFront distribution of the app accepts, with their reasons: no geo
 * restriction, and unless configured otherwise the default *.cloudfront.net certificate and no WAF.
 */
import type { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import { acknowledge, type Findings } from '../acknowledgements.ts';

export function acknowledgeDistribution(
  distribution: Distribution,
  has: { readonly webAcl: boolean; readonly ownCertificate: boolean },
): void {
  const findings: Findings = {
    'AwsSolutions-CFR1':
      'No geo restriction: the APIs serve every country the operator sells in; restrict with the web ACL if needed.',
  };
  if (!has.ownCertificate) {
    findings['AwsSolutions-CFR4'] =
      'The distribution uses the default *.cloudfront.net certificate, whose TLS policy CloudFront fixes; ' +
      'with cdnDomainName and cdnCertificateArn the API distribution requires TLSv1.2_2021.';
  }
  if (!has.webAcl) {
    findings['AwsSolutions-CFR2'] =
      'AWS WAF is opt-in (context key webAcl=Yes adds managed rule groups and a per-IP rate limit): it is ' +
      'billed per web ACL, rule and request.';
  }
  acknowledge(distribution, findings);
}
