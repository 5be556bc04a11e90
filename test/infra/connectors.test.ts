/**
 * The connectors construct per context combination: absent unless `connectorDestinations` names a
 * destination; with one or both, each destination gets its queue, encrypted SSL-only DLQ with an
 * alarm, secret and delivery function with partial batch responses; roles name only what they use.
 * In full combinations (cdk-nag runs on every synth): the resource tags, access logs into the log
 * bucket, roles of their own, the state machine invoking the unqualified task ARNs.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { InvalidSettingsError, parseSettings } from '../../infra/settings.ts';
import { CONNECTOR_COMBINATIONS, contextOf, describeCombination, RESOURCE_TAGS } from './combinations.ts';
import { expectTagged, functionId, logicalId, render, roleStatements, statement } from './expectations.ts';
import { ACCOUNT, synth } from './synth.ts';

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

describe.each(CONNECTOR_COMBINATIONS.map((c) => [describeCombination(c), c] as const))('%s', (_, c) => {
  it('tags, access logs, own roles on nodejs24.x, unqualified task ARNs, the configured table prefixes', () => {
    const s = synth(contextOf(c));
    const t = s.main;
    expectTagged(s, RESOURCE_TAGS);
    const resources = t.toJSON().Resources;

    const logs = logicalId(t, 'AWS::S3::Bucket', { LifecycleConfiguration: Match.anyValue() });
    t.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: logs }, LogFilePrefix: 'connectors-bucket/' },
    });

    const functions = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([, r]) =>
      String(r.Properties.Description).startsWith('Connectors:'),
    );
    const destinations = c.connectorDestinations!.split(',').length;
    expect(functions).toHaveLength(5 + destinations);
    const roles = new Set<string>();
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime, id).toBe('nodejs24.x');
      const role = fn.Properties.Role['Fn::GetAtt'][0];
      expect(resources[role].Properties.ManagedPolicyArns, id).toBeUndefined();
      roles.add(role);
    }
    expect(roles.size).toBe(functions.length);

    const machineId = logicalId(t, 'AWS::StepFunctions::StateMachine', {
      StateMachineName: 'shop-staging-connectors',
    });
    const machine = resources[machineId].Properties;
    expect(machine.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    const machineRole = machine.RoleArn['Fn::GetAtt'][0];
    const machinePolicy = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === machineRole))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const tasks = Object.values(machine.DefinitionSubstitutions).map(render);
    expect(tasks).toHaveLength(5);
    // The definition calls the unqualified ARNs: exactly those, no version or alias (`:*`).
    const invoked = machinePolicy
      .filter((st) => [st.Action].flat().includes('lambda:InvokeFunction'))
      .flatMap((st) => [st.Resource].flat().map(render));
    expect(invoked.sort()).toEqual([...tasks].sort());
    const executions = render(statement(machinePolicy, 'TrackChildExecutions').Resource);
    expect(executions).toBe(`arn:{AWS::Partition}:states:eu-west-1:${ACCOUNT}:execution:shop-staging-connectors:*`);

    const processBatch = roleStatements(t, functionId(t, 'Connectors: batch inference part files → output parts'));
    expect([statement(processBatch, 'ReadNamespaceTables').Resource].flat().map(render)).toEqual(
      s.settings.tableNamePrefixes.map(
        (prefix) => `arn:{AWS::Partition}:dynamodb:eu-west-1:${ACCOUNT}:table/${prefix}*`,
      ),
    );
  });
});
