/**
 * Swagger UI as a static site: the swagger-ui-dist files are copied to `swagger-ui/` in the staging
 * bucket and served, with the `openapi/openapi.json` the control plane writes, by one CloudFront
 * distribution (origin access control; the bucket stays private). Same origin for the page and the
 * document, so no CORS is needed to load it; "Try it out" calls the APIs, which allow CORS. Standard
 * logs go to the log bucket under `swagger-ui/`.
 */
import {
  CachePolicy,
  Distribution,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import {
  acknowledge,
  BASIC_EXECUTION_ROLE_FINDING,
  CDK_HELPER_REASON,
  wildcardResourceFinding,
} from '../acknowledgements.ts';
import { SWAGGER_UI_DIST } from '../paths.ts';
import { acknowledgeDistribution } from './distribution-findings.ts';

const SWAGGER_UI_PREFIX = 'swagger-ui';
const OPENAPI_KEY = 'openapi/openapi.json';

/** swagger-ui-dist files the page never loads (source maps, ES bundles, package files, the sample initializer). */
const UNUSED_FILES = [
  '*.map',
  '*.LICENSE.txt',
  'log.*',
  'README.md',
  'package.json',
  'index.js',
  'absolute-path.js',
  'swagger-ui.js',
  'swagger-ui-es-bundle*.js',
  'swagger-initializer.js',
];

/** Points the page at the generated document. */
const SWAGGER_INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/${OPENAPI_KEY}',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
};
`;

/**
 * BucketDeployment runs CDK's singleton helper function, whose role CDK grants read on the asset
 * bucket and read/write on the destination (wildcard actions from CDK's grants) on top of the basic
 * execution policy, and whose Python runtime CDK picks.
 */
function acknowledgeBucketDeployment(files: BucketDeployment, destination: IBucket) {
  const helper = files.handlerRole.node.scope as IConstruct;
  const assets = files.node.findAll().filter((c): c is Asset => c instanceof Asset);
  const findings = [
    BASIC_EXECUTION_ROLE_FINDING,
    'AwsSolutions-L1',
    ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map(
      (action) => `AwsSolutions-IAM5[Action::${action}]`,
    ),
    'AwsSolutions-IAM5[Resource::*]',
    wildcardResourceFinding(helper, destination.arnForObjects('*')),
    ...assets.map((asset) => wildcardResourceFinding(helper, asset.bucket.arnForObjects('*'))),
  ];
  acknowledge(helper, Object.fromEntries(findings.map((id) => [id, CDK_HELPER_REASON])));
}

export interface SwaggerUiProps {
  readonly stagingBucket: IBucket;
  readonly logBucket: IBucket;
  /** The CLOUDFRONT-scope web ACL to associate, when the webAcl context key is on. */
  readonly webAclArn?: string;
}

export class SwaggerUi extends Construct {
  public readonly distribution: Distribution;
  /** `https://<domain>/` */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: SwaggerUiProps) {
    super(scope, id);
    const bucket = props.stagingBucket;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Personalization APIs Swagger UI',
      priceClass: PriceClass.PRICE_CLASS_100,
      defaultRootObject: 'index.html',
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'swagger-ui/',
      webAclId: props.webAclArn,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(bucket, { originPath: `/${SWAGGER_UI_PREFIX}` }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      additionalBehaviors: {
        'openapi/*': {
          origin: S3BucketOrigin.withOriginAccessControl(bucket),
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: CachePolicy.CACHING_DISABLED,
        },
      },
    });
    const files = new BucketDeployment(this, 'Files', {
      destinationBucket: bucket,
      destinationKeyPrefix: `${SWAGGER_UI_PREFIX}/`,
      sources: [
        Source.asset(SWAGGER_UI_DIST, { exclude: UNUSED_FILES }),
        Source.data('swagger-initializer.js', SWAGGER_INITIALIZER),
      ],
      prune: true,
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    acknowledgeDistribution(this.distribution, { webAcl: props.webAclArn !== undefined, ownCertificate: false });
    acknowledgeBucketDeployment(files, bucket);
    this.url = `https://${this.distribution.distributionDomainName}/`;
  }
}
