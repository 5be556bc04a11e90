/**
 * The CloudFront distribution in front of the HTTP API, or of the REST API's stage (cacheScheme Both). Its cache policy and origin-request policy
 * start neutral (every query string in the cache key, no headers) and the control plane rewrites
 * them from the configuration's cacheControl and auto-context rules. With OAuth2-Cognito the
 * edge-auth function checks tokens on viewer requests, before the cache. Standard logs go to the log
 * bucket under `cdn/`; the optional web ACL filters requests before all of it. Every origin request
 * carries the secret origin header, without which the data plane answers 403.
 */
import { Duration } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachedMethods,
  CachePolicy,
  CacheQueryStringBehavior,
  Distribution,
  LambdaEdgeEventType,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  PriceClass,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IVersion } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeDistribution } from './distribution-findings.ts';

export interface CdnProps {
  /** The API's host name. */
  readonly originDomainName: string;
  /** A path prefix for every origin request, e.g. the REST API's `/{stage}`. */
  readonly originPath?: string;
  /** The edge-auth function version to run on viewer requests. */
  readonly viewerRequestAuth?: IVersion;
  readonly logBucket: IBucket;
  /** The CLOUDFRONT-scope web ACL to associate, when the webAcl context key is on. */
  readonly webAclArn?: string;
  /** The secret header CloudFront adds to every origin request (see OriginSecret). */
  readonly originHeader: { readonly name: string; readonly value: string };
  /** An alternate domain with its us-east-1 ACM certificate; viewers then need TLS 1.2 (TLSv1.2_2021). */
  readonly domain?: { readonly name: string; readonly certificateArn: string };
}

export class Cdn extends Construct {
  public readonly distribution: Distribution;
  public readonly cachePolicy: CachePolicy;
  public readonly originRequestPolicy: OriginRequestPolicy;
  /** `https://<domain>/` */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: CdnProps) {
    super(scope, id);
    this.cachePolicy = new CachePolicy(this, 'CachePolicy', {
      comment: 'Personalization APIs; kept in sync with the configuration by the control plane',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.days(1),
      queryStringBehavior: CacheQueryStringBehavior.all(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    this.originRequestPolicy = new OriginRequestPolicy(this, 'OriginRequestPolicy', {
      comment: 'Personalization APIs; kept in sync with the configuration by the control plane',
      queryStringBehavior: OriginRequestQueryStringBehavior.all(),
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Personalization APIs',
      priceClass: PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cdn/',
      webAclId: props.webAclArn,
      ...(props.domain && {
        domainNames: [props.domain.name],
        certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
        minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      }),
      defaultBehavior: {
        origin: new HttpOrigin(props.originDomainName, {
          protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
          originPath: props.originPath,
          customHeaders: { [props.originHeader.name]: props.originHeader.value },
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachedMethods: CachedMethods.CACHE_GET_HEAD_OPTIONS,
        cachePolicy: this.cachePolicy,
        originRequestPolicy: this.originRequestPolicy,
        compress: true,
        edgeLambdas: props.viewerRequestAuth
          ? [{ functionVersion: props.viewerRequestAuth, eventType: LambdaEdgeEventType.VIEWER_REQUEST }]
          : undefined,
      },
    });
    acknowledgeDistribution(this.distribution, {
      webAcl: props.webAclArn !== undefined,
      ownCertificate: props.domain !== undefined,
    });
    this.url = `https://${props.domain?.name ?? this.distribution.distributionDomainName}/`;
  }
}
