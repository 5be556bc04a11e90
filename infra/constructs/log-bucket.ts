/**
 * The access-log bucket: S3 server access logs of the staging bucket and the standard logs of the
 * CloudFront distributions land here under a prefix each, and expire after `LOG_RETENTION_DAYS`.
 * CloudFront standard logging writes with ACLs, so the bucket owner is preferred rather than enforced.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledgements.ts';

/** How long access logs are kept. */
export const LOG_RETENTION_DAYS = 90;

export class LogBucket extends Construct {
  public readonly bucket: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(LOG_RETENTION_DAYS) }],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    acknowledge(this.bucket, {
      'AwsSolutions-S1':
        'This is the access-log bucket; logging access to it into itself would log its own log deliveries.',
    });
  }
}
