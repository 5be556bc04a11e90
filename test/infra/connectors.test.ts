/**
 * The connectors construct per context combination: absent unless `connectorDestinations` names a
 * destination; with one or both, each destination gets its queue, encrypted SSL-only DLQ with an
 * alarm, secret and delivery function with partial batch responses; roles name only what they use.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { InvalidSettingsError, parseSettings } from '../../infra/settings.ts';
import { functionId, roleStatements, statement } from './expectations.ts';
import { synth } from './synth.ts';

const BASE = {
  authenticationScheme: 'None',
  apiEntryPointType: 'API-Gateway-HTTP',
  cacheScheme: 'None',
  createSwaggerUi: 'No',
};

const flatten = (value: unknown) => JSON.stringify(value);

function expectDestination(template: Template, name: 'braze' | 'webhook') {
  const fn = functionId(template, `Connectors: delivers queued users to ${name}`);
  const statements = roleStatements(template, fn);
  const secret = statements.find((s) => flatten(s.Action).includes('secretsmanager:GetSecretValue'))!;
  expect(flatten(secret.Resource)).toMatch(new RegExp(`Connectors${name[0]!.toUpperCase()}${name.slice(1)}Secret`));
  expect(flatten(statement(statements, 'DeadLetter').Resource)).toMatch(/DeadLetterQueue/);
  expect(statement(statements, 'ForgetRefusedUsers').Action).toBe('dynamodb:BatchWriteItem');
  // No S3 and no wildcard resources (X-Ray's trace calls take no resource).
  const own = statements.filter((s) => !flatten(s.Action).includes('xray:'));
  expect(flatten(own)).not.toMatch(/"s3:|"Resource":"\*"/);
  const env = template.toJSON().Resources[fn].Properties.Environment.Variables;
  expect(Object.keys(env)).toEqual(
    expect.arrayContaining([
      'P13N_CONNECTORS_SECRET_ARN',
      'P13N_CONNECTORS_DLQ_URL',
      'P13N_CONNECTORS_REQUESTS_PER_WINDOW',
    ]),
  );
  expect(flatten(env)).not.toMatch(/apiKey|signingSecret/);
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    FunctionName: { Ref: fn },
    BatchSize: 10,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    ScalingConfig: { MaximumConcurrency: 5 },
  });
}

describe('connectors construct', () => {
  it('is not deployed without connectorDestinations', () => {
    const { main, settings } = synth(BASE);
    expect(settings.connectors).toBeUndefined();
    main.resourceCountIs('AWS::SQS::Queue', 0);
    main.resourceCountIs('AWS::SecretsManager::Secret', 0);
    main.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
  });

  it('rejects an unknown destination or a bad number, naming the context key', () => {
    const lookup = (context: Record<string, unknown>) => (key: string) => context[key];
    expect(() => parseSettings(lookup({ ...BASE, connectorDestinations: 'braze,mailchimp' }))).toThrow(
      /connectorDestinations: expected a comma-separated list of braze, webhook/,
    );
    expect(() =>
      parseSettings(lookup({ ...BASE, connectorDestinations: 'braze', connectorsMaxConcurrency: '0' })),
    ).toThrow(InvalidSettingsError);
  });

  it('Braze only: bucket, on-demand tables, the Distributed Map machine, rules and one destination', () => {
    const { main } = synth({
      ...BASE,
      connectorDestinations: 'Braze',
      connectorsBatchInferenceBucket: 'mlops-batch-bucket',
    });
    main.resourceCountIs('AWS::SQS::Queue', 2);
    main.resourceCountIs('AWS::SecretsManager::Secret', 1);
    main.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    main.resourceCountIs('AWS::StepFunctions::StateMachine', 3);
    main.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'byItem', Projection: { NonKeyAttributes: ['run'], ProjectionType: 'INCLUDE' } }),
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    main.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
      VisibilityTimeout: 720,
    });
    // Both queues refuse plain HTTP.
    const policies = main.findResources('AWS::SQS::QueuePolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    expect(flatten(policies)).toMatch(/"aws:SecureTransport":"false"/);
    main.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    main.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        GenerateStringKey: 'apiKey',
        SecretStringTemplate: '{"endpoint":"https://rest.iad-01.braze.com"}',
      },
    });
    expectDestination(main, 'braze');

    const machines = main.findResources('AWS::StepFunctions::StateMachine', {
      Properties: { StateMachineName: Match.stringLikeRegexp('connectors$') },
    });
    const [machine] = Object.values(machines) as Array<{ Properties: Record<string, any> }>;
    const definition = flatten(machine!.Properties.DefinitionString);
    expect(definition).toContain('arn:aws:states:::s3:listObjectsV2');
    expect(definition).toContain('DISTRIBUTED');
    expect(machine!.Properties.LoggingConfiguration.Level).toBe('ALL');
    expect(machine!.Properties.TracingConfiguration).toEqual({ Enabled: true });

    main.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: { bucket: Match.anyValue(), object: { key: [{ wildcard: 'etl_jobs/*/*/config.json' }] } },
      }),
    });
    main.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: { bucket: { name: ['mlops-batch-bucket'] }, object: { key: [{ suffix: '_CHECK' }] } },
      }),
    });

    const processBatch = roleStatements(
      main,
      functionId(main, 'Connectors: batch inference part files → output parts'),
    );
    expect(flatten(statement(processBatch, 'WriteParts').Resource)).toMatch(
      /etl_jobs\/\*\/output\/\*.*etl_jobs\/\*\/errors\/\*/,
    );
    expect(flatten(statement(processBatch, 'ReadBatchOutputAndCatalogue').Resource)).toMatch(
      /:s3:::mlops-batch-bucket\/\*/,
    );
    expect(flatten(statement(processBatch, 'QueryUserIndex').Resource)).toContain('/index/byItem');
    const commit = roleStatements(
      main,
      functionId(main, 'Connectors: output parts → delivery queues, then sync state'),
    );
    expect(flatten(statement(commit, 'Enqueue').Resource)).toMatch(/ConnectorsBrazeQueue/);
    expect(flatten(commit)).not.toMatch(/s3:PutObject|s3:DeleteObject/);
    const cleanup = roleStatements(main, functionId(main, "Connectors: deletes a failed run's output"));
    expect(statement(cleanup, 'DeleteRun').Action).toBe('s3:DeleteObject');
    for (const name of [
      'ConnectorsStateMachineArn',
      'ConnectorsBucketName',
      'ConnectorsBrazeSecretArn',
      'ConnectorsBrazeDeadLetterQueueUrl',
    ]) {
      main.hasOutput(name, Match.anyValue());
    }
  });

  it('Braze and webhook: a destination each, and no batch-output rule without a batch bucket', () => {
    const { main } = synth({ ...BASE, connectorDestinations: 'braze, webhook', connectorsMaxConcurrency: 100 });
    main.resourceCountIs('AWS::SQS::Queue', 4);
    main.resourceCountIs('AWS::SecretsManager::Secret', 2);
    main.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    expectDestination(main, 'braze');
    expectDestination(main, 'webhook');
    main.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { GenerateStringKey: 'signingSecret', SecretStringTemplate: '{}' },
    });
    const rules = main.findResources('AWS::Events::Rule');
    expect(flatten(rules)).not.toContain('_CHECK');
    const prepare = functionId(main, 'Connectors: validates a job and builds its catalogue');
    expect(main.toJSON().Resources[prepare].Properties.Environment.Variables).toMatchObject({
      P13N_CONNECTORS_MAX_CONCURRENCY: '100',
      P13N_CONNECTORS_FILES_PER_BATCH: '1',
    });
  });
});
