import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { RECORD_COLUMNS, RECORDS_TABLE } from '../../infra/constructs/experiment-analytics.ts';
import { parseSettings } from '../../infra/settings.ts';
import { COLUMNS } from '../experiments/duckdb.ts';
import { synth } from './synth.ts';

describe('the experimentAnalytics option', () => {
  const { main } = synth({ experimentAnalytics: 'Yes', authenticationScheme: 'None', cacheScheme: 'None' });

  it('delivers records through an encrypted Firehose stream to date-partitioned, gzipped S3 objects', () => {
    main.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'personalization-apis-prod-experiment-records',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: 'records/dt=!{timestamp:yyyy-MM-dd}/',
        ErrorOutputPrefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
        CompressionFormat: 'GZIP',
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
      }),
    });
    // The data plane may put records into it.
    main.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'], Effect: 'Allow' }),
        ]),
      },
      Roles: Match.arrayWith([{ Ref: Match.stringLikeRegexp('DataPlane') }]),
    });
  });

  it('keeps the buckets private, encrypted, TLS-only, with server access logs for the records', () => {
    main.resourcePropertiesCountIs(
      'AWS::S3::Bucket',
      Match.objectLike({
        LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'records-bucket/' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
      }),
      1,
    );
    const denyInsecure = Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const policies = main.findResources('AWS::S3::BucketPolicy', {
      Properties: { PolicyDocument: { Statement: Match.arrayWith([denyInsecure]) } },
    });
    // Staging bucket, records bucket and its access-log bucket.
    expect(Object.keys(policies).length).toBeGreaterThanOrEqual(3);
  });

  it('describes the records with a Glue table (JSON SerDe, projected date partitions) the readout SQL reads', () => {
    main.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: { Name: 'personalization_apis_prod_experiments' },
    });
    main.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'personalization_apis_prod_experiments',
      TableInput: Match.objectLike({
        Name: RECORDS_TABLE,
        PartitionKeys: [{ Name: 'dt', Type: 'string' }],
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
        }),
        StorageDescriptor: Match.objectLike({
          SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' }),
          Columns: RECORD_COLUMNS.map((c) => ({ Name: c.name, Type: c.type })),
        }),
      }),
    });
    // The DuckDB view the SQL is tested against has the same columns.
    expect(Object.keys(COLUMNS).map((c) => c.toLowerCase())).toEqual(RECORD_COLUMNS.map((c) => c.name));
  });

  it('gives Athena a workgroup with encrypted results and a scan limit, and outputs what the report needs', () => {
    main.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'personalization-apis-prod-experiments',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } }),
      }),
    });
    const outputs = main.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'ExperimentRecordsStreamName',
        'ExperimentRecordsBucketName',
        'ExperimentAthenaWorkgroup',
        'ExperimentGlueDatabase',
      ]),
    );
  });

  it('is off by default and refuses a value that is not yes or no', () => {
    const plain = synth({ authenticationScheme: 'None', cacheScheme: 'None' }).main;
    plain.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
    plain.resourceCountIs('AWS::Athena::WorkGroup', 0);
    expect(() => parseSettings((key) => (key === 'experimentAnalytics' ? 'sometimes' : undefined))).toThrow(
      /experimentAnalytics: expected Yes \| No \| true \| false, got 'sometimes'/,
    );
  });
});
