/**
 * Experiment analytics in the cloud (context key `experimentAnalytics`): a Firehose delivery stream
 * that the data plane may put its event-target records into (exposures, events, conversions, as JSON
 * lines), delivering them gzipped to S3 under `records/dt=YYYY-MM-DD/`; a Glue table over that prefix
 * (JSON SerDe, date partitions found by partition projection, so no crawler); and an Athena workgroup
 * whose encrypted results stay in the same bucket, with a per-query scan limit. `p13n experiments
 * report --athena-workgroup W --database D` runs the readout there. Point a namespace at it with the
 * event target `{"type": "kinesis-firehose", "streamName": <ExperimentRecordsStreamName>}`.
 */
import { Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Compression, DeliveryStream, S3Bucket, StreamEncryption } from 'aws-cdk-lib/aws-kinesisfirehose';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** The records table's columns: the fields of the records the event targets write (records.ts), lower-case. */
export const RECORD_COLUMNS: ReadonlyArray<{ name: string; type: string }> = [
  { name: 'kind', type: 'string' },
  { name: 'namespace', type: 'string' },
  { name: 'action', type: 'string' },
  { name: 'recommender', type: 'string' },
  { name: 'feature', type: 'string' },
  { name: 'variation', type: 'string' },
  { name: 'method', type: 'string' },
  { name: 'userid', type: 'string' },
  { name: 'sessionid', type: 'string' },
  { name: 'recommendationid', type: 'string' },
  { name: 'itemids', type: 'array<string>' },
  { name: 'eventtype', type: 'string' },
  { name: 'itemid', type: 'string' },
  { name: 'eventvalue', type: 'double' },
  { name: 'metric', type: 'string' },
  { name: 'value', type: 'double' },
  { name: 'timestamp', type: 'string' },
  { name: 'sentat', type: 'string' },
];

export const RECORDS_TABLE = 'experiment_records';
const RECORDS_PREFIX = 'records';

export interface ExperimentAnalyticsProps {
  /** Names the stream, database and workgroup (e.g. the stack's `<application>-<environment>`). */
  readonly name: string;
  /** Allowed to put records into the stream (the data-plane function). */
  readonly producer: IGrantable;
  /** Largest scan one Athena query may make (default 10 GiB). */
  readonly bytesScannedCutoffPerQuery?: number;
}

export class ExperimentAnalytics extends Construct {
  public readonly bucket: Bucket;
  public readonly deliveryStream: DeliveryStream;
  public readonly databaseName: string;
  public readonly workgroupName: string;

  constructor(scope: Construct, id: string, props: ExperimentAnalyticsProps) {
    super(scope, id);
    const safe = props.name.toLowerCase().replace(/[^a-z0-9_]/g, '_');

    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket receives the records bucket’s server access logs; logging it too would recurse.',
    });

    this.bucket = new Bucket(this, 'Records', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'records-bucket/',
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
      lifecycleRules: [{ prefix: 'athena-results/', expiration: Duration.days(7) }],
    });

    this.deliveryStream = new DeliveryStream(this, 'Stream', {
      deliveryStreamName: `${props.name}-experiment-records`.slice(0, 64),
      encryption: StreamEncryption.awsOwnedKey(),
      destination: new S3Bucket(this.bucket, {
        dataOutputPrefix: `${RECORDS_PREFIX}/dt=!{timestamp:yyyy-MM-dd}/`,
        errorOutputPrefix: `errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`,
        bufferingInterval: Duration.seconds(60),
        bufferingSize: Size.mebibytes(5),
        compression: Compression.GZIP,
      }),
    });
    this.deliveryStream.grantPutRecords(props.producer);
    // The grant CDK gives Firehose's role: object actions under the generated date-partitioned keys.
    const firehoseWildcards = [
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      `Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*`,
    ];
    for (const finding of firehoseWildcards) {
      Validations.of(this.deliveryStream).acknowledge({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: 'Firehose writes objects under generated date-partitioned keys of this bucket only.',
      });
    }

    this.databaseName = `${safe}_experiments`;
    const account = Stack.of(this).account;
    const database = new CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: { name: this.databaseName, description: 'Personalization APIs experiment records' },
    });
    const location = `s3://${this.bucket.bucketName}/${RECORDS_PREFIX}/`;
    const table = new CfnTable(this, 'Table', {
      catalogId: account,
      databaseName: this.databaseName,
      tableInput: {
        name: RECORDS_TABLE,
        description: 'Exposure, event and conversion records delivered by Firehose (JSON lines, gzip)',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [{ name: 'dt', type: 'string' }],
        parameters: {
          classification: 'json',
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': '2024-01-01,NOW',
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'storage.location.template': `${location}dt=\${dt}/`,
        },
        storageDescriptor: {
          location,
          columns: RECORD_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          compressed: true,
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            parameters: { 'ignore.malformed.json': 'true', 'case.insensitive': 'true' },
          },
        },
      },
    });
    table.addDependency(database);

    this.workgroupName = `${props.name}-experiments`;
    new CfnWorkGroup(this, 'Workgroup', {
      name: this.workgroupName,
      description: 'Experiment readouts (p13n experiments report --athena-workgroup)',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery ?? 10 * 1024 ** 3,
        resultConfiguration: {
          outputLocation: `s3://${this.bucket.bucketName}/athena-results/`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
  }
}
