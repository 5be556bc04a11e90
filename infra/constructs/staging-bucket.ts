/**
 * The staging bucket: item-metadata imports arrive under `import/`, the control plane writes
 * `localdbs/` and `openapi/`, Swagger UI lives under `swagger-ui/`. EventBridge notifications are on
 * so uploads start the load-item-metadata state machine; the bucket is emptied when the stack goes.
 * Server access logs go to the log bucket under `staging-bucket/`.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface StagingBucketProps {
  readonly logBucket: IBucket;
}

export class StagingBucket extends Construct {
  public readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: StagingBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      eventBridgeEnabled: true,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: 'staging-bucket/',
    });
  }
}
