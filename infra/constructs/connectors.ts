/**
 * The batch connectors, deployed only when the `connectorDestinations` context key names a
 * destination: the connectors bucket (`etl_jobs/…`), the sync-state and user-index tables (on
 * demand), the Step Functions state machine with its Distributed Maps and worker Lambdas, the
 * EventBridge rules that start it (a job's config.json, a finished batch inference output), and per
 * destination a queue, a dead-letter queue with an alarm, a secret and the delivery Lambda. Every
 * role is limited to the prefixes, tables, queues and secret it uses; the wildcards the job layout
 * needs are acknowledged (cdk-nag) on the role that holds them, with the reason. The bucket's server
 * access logs go to the access-log bucket under `connectors-bucket/`.
 */
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { BRAZE_REQUESTS_PER_WINDOW } from '../../connectors/destinations/braze.ts';
import { USER_INDEX_BY_ITEM } from '../../connectors/dynamodb-tables.ts';
import { acknowledge, acknowledgeWildcardResources } from '../acknowledgements.ts';
import { CONNECTORS_ASL, connectorsEntry } from '../paths.ts';
import type { ConnectorDestination, ConnectorsSettings } from '../settings.ts';
import { TABLE_PREFIX_REASON } from './data-plane-function.ts';
import { createNodeFunction } from './node-function.ts';
import { createStateMachine } from './state-machines.ts';

export interface ConnectorsProps {
  readonly settings: ConnectorsSettings;
  /** The APIs' staging bucket, for jobs that decorate from a namespace's localdb store. */
  readonly stagingBucket: IBucket;
  /** Receives the connectors bucket's server access logs. */
  readonly logBucket: IBucket;
  /** Item-metadata table name prefixes (`tableNamePrefixes`), for jobs that decorate from a DynamoDB namespace. */
  readonly tableNamePrefixes: readonly string[];
}

/** A destination's delivery path. */
export interface ConnectorDestinationResources {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly secret: Secret;
  readonly function: NodejsFunction;
  readonly alarm: Alarm;
}

const LAMBDA_TIMEOUT = Duration.minutes(15);
/** What each destination's secret holds; the values are put there by the operator, never by the template. */
const SECRET_TEMPLATES: Record<
  ConnectorDestination,
  { template: object; key: string; description: string; noRotation: string }
> = {
  braze: {
    template: { endpoint: 'https://rest.iad-01.braze.com' },
    key: 'apiKey',
    description:
      'Braze REST API key (users.track) and REST endpoint: {"apiKey": "...", "endpoint": "https://rest.<instance>.braze.com"}',
    noRotation:
      'A third-party credential: Braze REST API keys are issued in the Braze dashboard, which has no API a ' +
      'rotation function could call; the operator puts a new key here when rotating it in Braze.',
  },
  webhook: {
    template: {},
    key: 'signingSecret',
    description: 'Signing secret of the connectors webhook (HMAC-SHA256): {"signingSecret": "..."}',
    noRotation:
      'Shared with the webhook receiver, which verifies signatures with it and is not ours: a new value must be put ' +
      'into the receiver and here together, which a rotation function cannot do.',
  },
};

export class Connectors extends Construct {
  public readonly bucket: Bucket;
  public readonly stateTable: Table;
  public readonly indexTable: Table;
  public readonly stateMachine: StateMachine;
  public readonly destinations: Partial<Record<ConnectorDestination, ConnectorDestinationResources>> = {};

  constructor(scope: Construct, id: string, props: ConnectorsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { settings } = props;

    this.bucket = new Bucket(this, 'Bucket', {
      eventBridgeEnabled: true,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: 'connectors-bucket/',
    });
    const bucket = this.bucket;
    const batchBucket = settings.batchInferenceBucket
      ? Bucket.fromBucketName(this, 'BatchInferenceBucket', settings.batchInferenceBucket)
      : undefined;

    const table = (tableId: string, timeToLiveAttribute?: string) =>
      new Table(this, tableId, {
        partitionKey: { name: 'pk', type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        removalPolicy: RemovalPolicy.RETAIN,
        timeToLiveAttribute,
      });
    this.stateTable = table('SyncStateTable');
    // Index entries of finished runs expire (see dynamodb-tables.ts).
    this.indexTable = table('UserIndexTable', 'expiresAt');
    this.indexTable.addGlobalSecondaryIndex({
      indexName: USER_INDEX_BY_ITEM,
      partitionKey: { name: 'item', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: ['run'],
    });

    // Delivery first: the commit step needs the queues.
    for (const destination of settings.destinations) {
      this.destinations[destination] = this.destination(destination, settings.deliveryConcurrency);
    }

    const common = {
      POWERTOOLS_SERVICE_NAME: 'personalization-apis-connectors',
      P13N_CONNECTORS_BUCKET: bucket.bucketName,
      P13N_CONNECTORS_STATE_TABLE: this.stateTable.tableName,
      P13N_CONNECTORS_INDEX_TABLE: this.indexTable.tableName,
      P13N_CONNECTORS_MAX_CONCURRENCY: String(settings.maxConcurrency),
      P13N_CONNECTORS_FILES_PER_BATCH: String(settings.filesPerBatch),
      P13N_STAGING_BUCKET: props.stagingBucket.bucketName,
      ...(this.destinations.braze && { P13N_CONNECTORS_BRAZE_QUEUE_URL: this.destinations.braze.queue.queueUrl }),
      ...(this.destinations.webhook && { P13N_CONNECTORS_WEBHOOK_QUEUE_URL: this.destinations.webhook.queue.queueUrl }),
    };
    // Every step shares cloud-steps.ts, which reads and writes localdb (LMDB) files: all ship lmdb.
    const step = (stepId: string, name: string, description: string, memorySize = 1024) =>
      createNodeFunction(this, stepId, {
        entry: connectorsEntry(name),
        description,
        native: true,
        environment: common,
        timeout: LAMBDA_TIMEOUT,
        memorySize,
        ephemeralStorageSize: Size.gibibytes(4),
      });
    const prepare = step('PrepareJob', 'prepare-job', 'Connectors: validates a job and builds its catalogue');
    const index = step('IndexUserItemMapping', 'index-user-item-mapping', 'Connectors: user-item mapping → user index');
    // 1,769 MB is one full vCPU: the core is CPU-bound.
    const processBatch = step(
      'ProcessBatch',
      'process-batch',
      'Connectors: batch inference part files → output parts',
      1769,
    );
    const commit = step('CommitBatch', 'commit-batch', 'Connectors: output parts → delivery queues, then sync state');
    const cleanup = step('CleanupRun', 'cleanup-run', "Connectors: deletes a failed run's output", 512);

    const objects = (pattern: string) => bucket.arnForObjects(pattern);
    /** Grants `actions`; `why` explains (as a cdk-nag acknowledgement on the role) any `*` in `resources`. */
    const allow = (fn: NodejsFunction, sid: string, actions: string[], resources: string[], why?: string) => {
      fn.addToRolePolicy(new PolicyStatement({ sid, actions, resources }));
      if (why !== undefined) acknowledgeWildcardResources(fn.role!, resources, why);
    };
    const jobs = objects('etl_jobs/*');
    const catalogues = objects('localdbs/connectors/*');
    const runParts = [objects('etl_jobs/*/output/*'), objects('etl_jobs/*/errors/*')];
    const listJobs = [bucket.bucketArn, ...(batchBucket ? [batchBucket.bucketArn] : [])];
    const readBatch = [jobs, ...(batchBucket ? [batchBucket.arnForObjects('*')] : [])];
    const jobsReason =
      'Jobs are folders etl_jobs/<related_items|user_personalization>/<job>/ that operators add at run time ' +
      '(config.json, input/, and the batch inference output when it is kept in this bucket).';
    const catalogueReason =
      "Each job's catalogue is a localdb object under localdbs/connectors/<job hash>/, named at run time.";
    const runPartsReason =
      "A run's parts go under etl_jobs/<type>/<job>/output/ and errors/ of jobs named at run time; nothing " +
      'else in the bucket.';
    const batchReason =
      "Batch inference output is read wherever the job's config.json points (batchInferencePath): under " +
      'etl_jobs/ in this bucket or any prefix of the batch inference bucket; read-only.';

    allow(prepare, 'ListJobsAndBatchOutput', ['s3:ListBucket'], listJobs);
    allow(prepare, 'ReadJobs', ['s3:GetObject'], [jobs], jobsReason);
    allow(prepare, 'WriteCatalogue', ['s3:PutObject'], [catalogues], catalogueReason);

    allow(
      index,
      'ReadMapping',
      ['s3:GetObject'],
      [objects('etl_jobs/related_items/*')],
      'The user-item mapping CSVs of related-items jobs (etl_jobs/related_items/<job>/input/user_item_mapping/), ' +
        'whose job names are chosen at run time.',
    );
    allow(index, 'WriteIndex', ['dynamodb:BatchWriteItem'], [this.indexTable.tableArn]);

    const metadataTables = props.tableNamePrefixes.map((prefix) =>
      stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: `${prefix}*` }),
    );
    allow(processBatch, 'ReadBatchOutputAndCatalogue', ['s3:GetObject'], [...readBatch, catalogues]);
    acknowledgeWildcardResources(processBatch.role!, readBatch, batchReason);
    acknowledgeWildcardResources(processBatch.role!, [catalogues], catalogueReason);
    allow(processBatch, 'CheckCatalogue', ['s3:ListBucket'], [bucket.bucketArn, props.stagingBucket.bucketArn]);
    allow(
      processBatch,
      'ReadNamespaceLocaldb',
      ['s3:GetObject'],
      [props.stagingBucket.arnForObjects('localdbs/*')],
      "Jobs may decorate from any namespace's localdb file (localdbs/<namespace>/), read-only.",
    );
    allow(processBatch, 'ReadNamespaceTables', ['dynamodb:BatchGetItem'], metadataTables, TABLE_PREFIX_REASON);
    allow(processBatch, 'WriteParts', ['s3:PutObject'], runParts, runPartsReason);
    allow(processBatch, 'ReadSyncState', ['dynamodb:BatchGetItem'], [this.stateTable.tableArn]);
    // One message per user per run: each occurrence claims its user (run-claims.ts).
    allow(processBatch, 'ClaimUsers', ['dynamodb:PutItem'], [this.indexTable.tableArn]);
    allow(
      processBatch,
      'QueryUserIndex',
      ['dynamodb:Query'],
      [`${this.indexTable.tableArn}/index/${USER_INDEX_BY_ITEM}`],
    );

    allow(commit, 'ReadOutput', ['s3:GetObject'], [objects('etl_jobs/*/output/*')], runPartsReason);
    allow(commit, 'WriteSyncState', ['dynamodb:BatchWriteItem'], [this.stateTable.tableArn]);
    allow(commit, 'ListSuperseded', ['s3:ListBucket'], [bucket.bucketArn]);
    const queues = Object.values(this.destinations).map((d) => d.queue.queueArn);
    if (queues.length > 0) allow(commit, 'Enqueue', ['sqs:SendMessage'], queues);

    allow(cleanup, 'ListRun', ['s3:ListBucket'], [bucket.bucketArn]);
    allow(cleanup, 'DeleteRun', ['s3:DeleteObject'], runParts, runPartsReason);

    const tasks = {
      PrepareJobFunctionArn: prepare,
      IndexUserItemMappingFunctionArn: index,
      ProcessBatchFunctionArn: processBatch,
      CommitBatchFunctionArn: commit,
      CleanupRunFunctionArn: cleanup,
    };
    // A fixed name lets the role name the machine's own executions (the Distributed Maps start them)
    // without a dependency cycle.
    const stateMachineName = `${stack.stackName}-connectors`.slice(0, 80);
    this.stateMachine = createStateMachine(this, 'StateMachine', { file: CONNECTORS_ASL, tasks, stateMachineName });
    const states = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'states', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // What Step Functions documents for a Distributed Map ("IAM policies for using Distributed Map states").
    const executions = states('execution', `${stateMachineName}:*`);
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        sid: 'RunDistributedMaps',
        actions: ['states:StartExecution'],
        resources: [states('stateMachine', stateMachineName)],
      }),
    );
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        sid: 'TrackChildExecutions',
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [executions],
      }),
    );
    acknowledgeWildcardResources(
      this.stateMachine.role,
      [executions],
      "The Distributed Maps' child workflow executions of this state machine, whose IDs Step Functions " +
        'generates at run time.',
    );
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({ sid: 'ItemReaderListing', actions: ['s3:ListBucket'], resources: listJobs }),
    );

    new Rule(this, 'JobConfigRule', {
      description: "A job's config.json written under etl_jobs/ starts the connectors",
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: { bucket: { name: [bucket.bucketName] }, object: { key: Match.wildcard('etl_jobs/*/*/config.json') } },
      },
      targets: [new SfnStateMachine(this.stateMachine)],
    });
    if (batchBucket) {
      new Rule(this, 'BatchOutputRule', {
        description: 'A finished batch inference output (its _CHECK marker) starts the job that reads it',
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: { bucket: { name: [batchBucket.bucketName] }, object: { key: Match.suffix('_CHECK') } },
        },
        targets: [new SfnStateMachine(this.stateMachine)],
      });
    }

    // Outputs at stack level keep readable names (ConnectorsStateMachineArn, not a hashed path).
    const output = (outputId: string, value: string, description: string) =>
      new CfnOutput(stack, outputId, { value, description });
    output(
      'ConnectorsBucketName',
      bucket.bucketName,
      'Connectors bucket: put jobs under etl_jobs/<related_items|user_personalization>/<job>/',
    );
    output(
      'ConnectorsStateMachineArn',
      this.stateMachine.stateMachineArn,
      'p13n connectors start --state-machine-arn <this>',
    );
    for (const [name, d] of Object.entries(this.destinations) as Array<
      [ConnectorDestination, ConnectorDestinationResources]
    >) {
      const title = name[0]?.toUpperCase() + name.slice(1);
      output(
        `Connectors${title}SecretArn`,
        d.secret.secretArn,
        `put the ${name} credentials here (aws secretsmanager put-secret-value)`,
      );
      output(
        `Connectors${title}DeadLetterQueueUrl`,
        d.deadLetterQueue.queueUrl,
        `users ${name} refused, with the reason`,
      );
    }
  }

  private destination(name: ConnectorDestination, concurrency: number): ConnectorDestinationResources {
    const title = name[0]?.toUpperCase() + name.slice(1);
    const deadLetterQueue = new Queue(this, `${title}DeadLetterQueue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const deliveryTimeout = Duration.minutes(2);
    const queue = new Queue(this, `${title}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function timeout, as Lambda's SQS event source recommends.
      visibilityTimeout: Duration.minutes(12),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
    });
    const { template, key, description, noRotation } = SECRET_TEMPLATES[name];
    const secret = new Secret(this, `${title}Secret`, {
      description,
      // A random placeholder: the real value is put by the operator, so it never appears in a template.
      generateSecretString: { secretStringTemplate: JSON.stringify(template), generateStringKey: key },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(secret, { 'AwsSolutions-SMG4': noRotation });
    const fn = createNodeFunction(this, `${title}Delivery`, {
      entry: connectorsEntry('deliver'),
      description: `Connectors: delivers queued users to ${name}`,
      timeout: deliveryTimeout,
      memorySize: 512,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'personalization-apis-connectors',
        P13N_CONNECTORS_STATE_TABLE: this.stateTable.tableName,
        P13N_CONNECTORS_DLQ_URL: deadLetterQueue.queueUrl,
        P13N_CONNECTORS_SECRET_ARN: secret.secretArn,
        // Braze allows 3,000 requests per 3 s across all callers; each concurrent function gets its share.
        P13N_CONNECTORS_REQUESTS_PER_WINDOW: String(Math.floor(BRAZE_REQUESTS_PER_WINDOW / concurrency)),
      },
    });
    fn.addEventSource(
      new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: concurrency }),
    );
    secret.grantRead(fn);
    fn.addToRolePolicy(
      new PolicyStatement({ sid: 'DeadLetter', actions: ['sqs:SendMessage'], resources: [deadLetterQueue.queueArn] }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'ForgetRefusedUsers',
        actions: ['dynamodb:BatchWriteItem'],
        resources: [this.stateTable.tableArn],
      }),
    );
    const alarm = new Alarm(this, `${title}DeadLetterAlarm`, {
      alarmDescription: `Users ${name} refused or could not be delivered are waiting in the dead-letter queue`,
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    return { queue, deadLetterQueue, secret, function: fn, alarm };
  }
}
