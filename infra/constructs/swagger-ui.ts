/**
 * Swagger UI as a static site: the swagger-ui-dist files are copied to `swagger-ui/` in the staging
 * bucket and served, with the `openapi/openapi.json` the control plane writes, by one CloudFront
 * distribution (origin access control; the bucket stays private). Same origin for the page and the
 * document, so no CORS is needed to load it; "Try it out" calls the APIs, which allow CORS.
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
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { SWAGGER_UI_DIST } from '../paths.ts';

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

export interface SwaggerUiProps {
  readonly stagingBucket: IBucket;
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
    new BucketDeployment(this, 'Files', {
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
    this.url = `https://${this.distribution.distributionDomainName}/`;
  }
}
