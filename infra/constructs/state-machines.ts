/**
 * The two state machines, deployed from the same ASL files the tests run locally, with their task
 * function ARNs substituted by CloudFormation, and the EventBridge rules that start them: an
 * accepted configuration change starts sync-resources, an object created under `import/` in the
 * staging bucket starts load-item-metadata.
 */
import { readFileSync } from 'node:fs';
import { RemovalPolicy } from 'aws-cdk-lib';
import { type IEventBus, Match, Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { DefinitionBody, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledgements.ts';
import { LOAD_ITEM_METADATA_ASL, SYNC_RESOURCES_ASL } from '../paths.ts';

/** What the config-validator puts on EventBridge when it accepts a configuration. */
const CONFIGURATION_CHANGE = {
  source: 'personalization.apis',
  detailType: 'PersonalizationApisConfigurationChange',
} as const;

/** Where item-metadata uploads land in the staging bucket. */
const IMPORT_PREFIX = 'import/';

/**
 * The ASL text of `file` after checking it names exactly the `${…}` substitutions given.
 * @throws Error naming the file and the missing or unknown substitutions.
 */
export function readDefinition(file: string, substitutions: Record<string, unknown>): string {
  const text = readFileSync(file, 'utf8');
  JSON.parse(text);
  const used = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1] ?? ''));
  const missing = Object.keys(substitutions).filter((name) => !used.has(name));
  const unknown = [...used].filter((name) => !(name in substitutions));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      `${file}: expected the substitutions ${Object.keys(substitutions).join(', ')}` +
        (missing.length > 0 ? `; missing ${missing.join(', ')}` : '') +
        (unknown.length > 0 ? `; unknown ${unknown.join(', ')}` : ''),
    );
  }
  return text;
}

export interface StateMachinesProps {
  readonly stagingBucket: IBucket;
  readonly eventBus: IEventBus;
  readonly generateOpenApi: IFunction;
  readonly syncCacheSettings: IFunction;
  readonly syncDynamoDbTables: IFunction;
  readonly loadItemMetadata: IFunction;
}

export class StateMachines extends Construct {
  public readonly syncResources: StateMachine;
  public readonly loadItemMetadata: StateMachine;
  public readonly configurationChangeRule: Rule;
  public readonly importRule: Rule;

  constructor(scope: Construct, id: string, props: StateMachinesProps) {
    super(scope, id);
    this.syncResources = this.stateMachine('SyncResources', SYNC_RESOURCES_ASL, {
      GenerateOpenApiFunctionArn: props.generateOpenApi,
      SyncCacheSettingsFunctionArn: props.syncCacheSettings,
      SyncDynamoDbTablesFunctionArn: props.syncDynamoDbTables,
    });
    this.loadItemMetadata = this.stateMachine('LoadItemMetadata', LOAD_ITEM_METADATA_ASL, {
      LoadItemMetadataFunctionArn: props.loadItemMetadata,
    });

    this.configurationChangeRule = new Rule(this, 'ConfigurationChangeRule', {
      description: 'An accepted configuration starts sync-resources',
      eventBus: props.eventBus,
      eventPattern: { source: [CONFIGURATION_CHANGE.source], detailType: [CONFIGURATION_CHANGE.detailType] },
      targets: [new SfnStateMachine(this.syncResources)],
    });
    this.importRule = new Rule(this, 'ImportRule', {
      description: 'An item-metadata upload under import/ starts load-item-metadata',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.stagingBucket.bucketName] },
          object: { key: Match.prefix(IMPORT_PREFIX) },
        },
      },
      targets: [new SfnStateMachine(this.loadItemMetadata)],
    });
  }

  private stateMachine(id: string, file: string, tasks: Record<string, IFunction>): StateMachine {
    const definition = readDefinition(file, tasks);
    const machine = new StateMachine(this, id, {
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: Object.fromEntries(Object.entries(tasks).map(([name, fn]) => [name, fn.functionArn])),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, `${id}Logs`, {
          retention: RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    // The definitions call the unqualified ARNs, so no version or alias (`:*`) is granted.
    machine.addToRolePolicy(
      new PolicyStatement({
        sid: 'InvokeTasks',
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(tasks).map((fn) => fn.functionArn),
      }),
    );
    acknowledge(machine.role, {
      'AwsSolutions-IAM5[Resource::*]':
        'Only X-Ray tracing and the CloudWatch Logs delivery actions Step Functions logging needs ' +
        '(CreateLogDelivery, PutResourcePolicy, ...) are granted on *: they have no resource-level permissions.',
    });
    return machine;
  }
}
