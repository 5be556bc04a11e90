/**
 * The data plane on Lambda: the Hono app from `data-plane/lambda.ts`, with the AppConfig agent
 * extension prefetching the live configuration and an IAM role that reaches exactly the kinds of
 * resources a configuration can name: Personalize campaigns, recommenders, filters and event
 * trackers, Lambda functions and SageMaker endpoints tagged for this application, the item-metadata
 * tables under the configured name prefixes, `localdbs/` in the staging bucket, Kinesis streams,
 * Firehose delivery streams and EventBridge buses of this account and region. It also deploys the
 * event idempotency table (`P13N_EVENT_IDEMPOTENCY_TABLE`): which event target took which event, so
 * a retried `POST /events` reaches only the targets that failed; the role may put, read and delete
 * items of that table only, and TTL removes them after the window.
 *
 * Recommender functions, post-processors and SageMaker endpoints are named only in the runtime
 * configuration, so the role cannot list them: it may invoke those that carry the tag
 * `RECOMMENDER_ACCESS_TAG` = the application name (an `aws:ResourceTag` condition), and nothing else.
 */
import { ArnFormat, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Application, Platform } from 'aws-cdk-lib/aws-appconfig';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DATA_PLANE_SERVICE } from '../../contracts/metrics.ts';
import { acknowledgeWildcardResources } from '../acknowledgements.ts';
import { DATA_PLANE_ENTRY } from '../paths.ts';
import type { ConfigurationRef } from './app-config.ts';
import { createNodeFunction } from './node-function.ts';

/** Where the data plane keeps downloaded localdb files on Lambda. */
const LAMBDA_DATA_DIR = '/tmp/p13n';

/**
 * The tag a Lambda function or SageMaker endpoint must carry, with the application name as value,
 * for the data plane to invoke it.
 */
export const RECOMMENDER_ACCESS_TAG = 'personalization-apis';

/**
 * How often the AppConfig agent extension asks AppConfig, and how often the data plane asks the
 * agent: together under the 45 s the old system promised between a deployment and warm functions.
 */
export const APPCONFIG_EXTENSION_POLL_SECONDS = 20;
export const DATA_PLANE_CONFIG_POLL_SECONDS = 15;

/** Why item-metadata tables are allowed by name prefix. */
export const TABLE_PREFIX_REASON =
  'Item-metadata tables are created per namespace at run time as {tableNamePrefix}{namespace}; the role ' +
  'allows the prefixes of the tableNamePrefixes context key only.';

export interface DataPlaneFunctionProps {
  readonly appConfig: ConfigurationRef;
  readonly stagingBucket: IBucket;
  readonly timeZone: string;
  /** The value of `RECOMMENDER_ACCESS_TAG` on the functions and endpoints the data plane may invoke. */
  readonly applicationName: string;
  /** Item-metadata table name prefixes the configuration may use (`tableNamePrefix`). */
  readonly tableNamePrefixes: readonly string[];
  /** Overrides the AppConfig extension layer CDK knows for the stack's region. */
  readonly appConfigExtensionLayerArn?: string;
}

/** The item attribute DynamoDB's TTL reads on the event idempotency table (data-plane/events/dynamodb-ledger.ts). */
export const EVENT_IDEMPOTENCY_TTL_ATTRIBUTE = 'expiresAt';

export class DataPlaneFunction extends Construct {
  public readonly function: NodejsFunction;
  /** Which event target took which event (data-plane/events/dynamodb-ledger.ts). */
  public readonly eventIdempotencyTable: Table;

  constructor(scope: Construct, id: string, props: DataPlaneFunctionProps) {
    super(scope, id);
    const { appConfig } = props;
    const stack = Stack.of(this);
    // Entries live at most the idempotency window (7 days at most) and are remade by use: nothing to keep.
    this.eventIdempotencyTable = new Table(this, 'EventIdempotencyTable', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: EVENT_IDEMPOTENCY_TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = createNodeFunction(this, 'Function', {
      entry: DATA_PLANE_ENTRY,
      description: 'Personalization APIs data plane (Hono)',
      native: true,
      // The init phase loads only what every invocation needs; the rest loads when a configuration uses it.
      splitting: true,
      memorySize: 1024,
      timeout: Duration.seconds(29),
      ephemeralStorageSize: Size.gibibytes(2),
      environment: {
        P13N_APPCONFIG_APPLICATION: appConfig.applicationId,
        P13N_APPCONFIG_ENVIRONMENT: appConfig.environmentId,
        P13N_APPCONFIG_PROFILE: appConfig.configurationProfileId,
        AWS_APPCONFIG_EXTENSION_POLL_INTERVAL_SECONDS: String(APPCONFIG_EXTENSION_POLL_SECONDS),
        P13N_CONFIG_POLL_INTERVAL_SECONDS: String(DATA_PLANE_CONFIG_POLL_SECONDS),
        AWS_APPCONFIG_EXTENSION_PREFETCH_LIST: `/applications/${appConfig.applicationId}/environments/${appConfig.environmentId}/configurations/${appConfig.configurationProfileId}`,
        P13N_STAGING_BUCKET: props.stagingBucket.bucketName,
        P13N_DEFAULT_TIME_ZONE: props.timeZone,
        P13N_DATA_DIR: LAMBDA_DATA_DIR,
        P13N_EVENT_IDEMPOTENCY_TABLE: this.eventIdempotencyTable.tableName,
        POWERTOOLS_SERVICE_NAME: DATA_PLANE_SERVICE,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    const layerArn =
      props.appConfigExtensionLayerArn ?? Application.getLambdaLayerVersionArn(stack.region, Platform.X86_64);
    this.function.addLayers(LayerVersion.fromLayerVersionArn(this, 'AppConfigExtension', layerArn));

    const arn = (service: string, resource: string) => stack.formatArn({ service, resource });
    const role = this.function.role!;
    /** Grants `actions`; `why` explains (as a cdk-nag acknowledgement) any `*` in `resources`. */
    const allow = (
      sid: string,
      actions: string[],
      resources: string[],
      options: { why?: string; conditions?: Record<string, unknown> } = {},
    ) => {
      this.function.addToRolePolicy(new PolicyStatement({ sid, actions, resources, conditions: options.conditions }));
      if (options.why !== undefined) acknowledgeWildcardResources(role, resources, options.why);
    };
    const namedInConfiguration =
      'Named only in the runtime configuration, which changes without a deployment: the role allows this ' +
      'resource type in this account and region only.';
    const tagged = { StringEquals: { [`aws:ResourceTag/${RECOMMENDER_ACCESS_TAG}`]: props.applicationName } };
    const taggedOnly =
      `Named only in the runtime configuration: invocable only when tagged ${RECOMMENDER_ACCESS_TAG}=` +
      `${props.applicationName} (aws:ResourceTag condition), in this account and region.`;

    allow(
      'ReadConfiguration',
      ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
      [appConfig.configurationArn()],
    );
    allow(
      'PersonalizeRuntime',
      ['personalize:GetRecommendations', 'personalize:GetPersonalizedRanking'],
      [arn('personalize', 'campaign/*'), arn('personalize', 'recommender/*'), arn('personalize', 'filter/*')],
      { why: namedInConfiguration },
    );
    allow('PersonalizeEvents', ['personalize:PutEvents'], [arn('personalize', 'event-tracker/*')], {
      why: namedInConfiguration,
    });
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
      { why: taggedOnly, conditions: tagged },
    );
    allow('InvokeSageMakerEndpoints', ['sagemaker:InvokeEndpoint'], [arn('sagemaker', 'endpoint/*')], {
      why: taggedOnly,
      conditions: tagged,
    });
    allow(
      'ReadItemMetadataTables',
      ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:DescribeTable'],
      props.tableNamePrefixes.map((prefix) => arn('dynamodb', `table/${prefix}*`)),
      { why: TABLE_PREFIX_REASON },
    );
    allow(
      'EventIdempotencyLedger',
      ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'],
      [this.eventIdempotencyTable.tableArn],
    );
    allow('ReadLocalDbs', ['s3:GetObject'], [props.stagingBucket.arnForObjects('localdbs/*')], {
      why: 'The localdb files of every namespace, written by load-item-metadata under localdbs/.',
    });
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ListLocalDbs',
        actions: ['s3:ListBucket'],
        resources: [props.stagingBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['localdbs/*'] } },
      }),
    );
    allow('PutKinesisRecords', ['kinesis:PutRecord', 'kinesis:PutRecords'], [arn('kinesis', 'stream/*')], {
      why: namedInConfiguration,
    });
    allow(
      'PutFirehoseRecords',
      ['firehose:PutRecord', 'firehose:PutRecordBatch'],
      [arn('firehose', 'deliverystream/*')],
      { why: namedInConfiguration },
    );
    allow('PutEventBridgeEvents', ['events:PutEvents'], [arn('events', 'event-bus/*')], {
      why: namedInConfiguration,
    });
    // Evidently experiments of old configurations (the service closed in 2025; calls fall back).
    allow(
      'EvidentlyExperiments',
      ['evidently:EvaluateFeature', 'evidently:PutProjectEvents'],
      [arn('evidently', 'project/*')],
      { why: namedInConfiguration },
    );
  }
}
