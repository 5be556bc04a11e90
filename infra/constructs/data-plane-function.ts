/**
 * The data plane on Lambda: the Hono app from `data-plane/lambda.ts`, with the AppConfig agent
 * extension prefetching the live configuration and an IAM role that reaches exactly the kinds of
 * resources a configuration can name: Personalize campaigns, recommenders, filters and event
 * trackers, Lambda functions, SageMaker endpoints, the item-metadata tables, `localdbs/` in the
 * staging bucket, Kinesis streams, Firehose delivery streams and EventBridge buses of this account
 * and region.
 */
import { ArnFormat, Duration, Size, Stack } from 'aws-cdk-lib';
import { Application, Platform } from 'aws-cdk-lib/aws-appconfig';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DEFAULT_TABLE_PREFIX } from '../../schema/resolve-config.ts';
import { DATA_PLANE_ENTRY } from '../paths.ts';
import type { ConfigurationRef } from './app-config.ts';
import { createNodeFunction } from './node-function.ts';

/** Where the data plane keeps downloaded localdb files on Lambda. */
const LAMBDA_DATA_DIR = '/tmp/p13n';

export interface DataPlaneFunctionProps {
  readonly appConfig: ConfigurationRef;
  readonly stagingBucket: IBucket;
  readonly timeZone: string;
  /** Overrides the AppConfig extension layer CDK knows for the stack's region. */
  readonly appConfigExtensionLayerArn?: string;
}

export class DataPlaneFunction extends Construct {
  public readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: DataPlaneFunctionProps) {
    super(scope, id);
    const { appConfig } = props;
    const stack = Stack.of(this);
    this.function = createNodeFunction(this, 'Function', {
      entry: DATA_PLANE_ENTRY,
      description: 'Personalization APIs data plane (Hono)',
      native: true,
      memorySize: 1024,
      timeout: Duration.seconds(29),
      ephemeralStorageSize: Size.gibibytes(2),
      environment: {
        P13N_APPCONFIG_APPLICATION: appConfig.applicationId,
        P13N_APPCONFIG_ENVIRONMENT: appConfig.environmentId,
        P13N_APPCONFIG_PROFILE: appConfig.configurationProfileId,
        AWS_APPCONFIG_EXTENSION_PREFETCH_LIST: `/applications/${appConfig.applicationId}/environments/${appConfig.environmentId}/configurations/${appConfig.configurationProfileId}`,
        P13N_STAGING_BUCKET: props.stagingBucket.bucketName,
        P13N_DEFAULT_TIME_ZONE: props.timeZone,
        P13N_DATA_DIR: LAMBDA_DATA_DIR,
        POWERTOOLS_SERVICE_NAME: 'personalization-apis-data-plane',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    const layerArn =
      props.appConfigExtensionLayerArn ?? Application.getLambdaLayerVersionArn(stack.region, Platform.X86_64);
    this.function.addLayers(LayerVersion.fromLayerVersionArn(this, 'AppConfigExtension', layerArn));

    const arn = (service: string, resource: string) => stack.formatArn({ service, resource });
    const allow = (sid: string, actions: string[], resources: string[]) =>
      this.function.addToRolePolicy(new PolicyStatement({ sid, actions, resources }));

    allow(
      'ReadConfiguration',
      ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
      [appConfig.configurationArn()],
    );
    allow(
      'PersonalizeRuntime',
      ['personalize:GetRecommendations', 'personalize:GetPersonalizedRanking'],
      [arn('personalize', 'campaign/*'), arn('personalize', 'recommender/*'), arn('personalize', 'filter/*')],
    );
    allow('PersonalizeEvents', ['personalize:PutEvents'], [arn('personalize', 'event-tracker/*')]);
    allow(
      'InvokeRecommenderFunctions',
      ['lambda:InvokeFunction'],
      [
        stack.formatArn({
          service: 'lambda',
          resource: 'function',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    );
    allow('InvokeSageMakerEndpoints', ['sagemaker:InvokeEndpoint'], [arn('sagemaker', 'endpoint/*')]);
    allow(
      'ReadItemMetadataTables',
      ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:DescribeTable'],
      [arn('dynamodb', `table/${DEFAULT_TABLE_PREFIX}*`)],
    );
    allow('ReadLocalDbs', ['s3:GetObject'], [props.stagingBucket.arnForObjects('localdbs/*')]);
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ListLocalDbs',
        actions: ['s3:ListBucket'],
        resources: [props.stagingBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['localdbs/*'] } },
      }),
    );
    allow('PutKinesisRecords', ['kinesis:PutRecord', 'kinesis:PutRecords'], [arn('kinesis', 'stream/*')]);
    allow(
      'PutFirehoseRecords',
      ['firehose:PutRecord', 'firehose:PutRecordBatch'],
      [arn('firehose', 'deliverystream/*')],
    );
    allow('PutEventBridgeEvents', ['events:PutEvents'], [arn('events', 'event-bus/*')]);
    // Evidently experiments of old configurations (the service closed in 2025; calls fall back).
    allow(
      'EvidentlyExperiments',
      ['evidently:EvaluateFeature', 'evidently:PutProjectEvents'],
      [arn('evidently', 'project/*')],
    );
  }
}
