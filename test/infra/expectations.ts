/**
 * What every synthesised combination must (and must not) contain, asserted on the templates: the
 * shared control plane, least-privilege roles, the state machines wired to the deployed functions,
 * the EventBridge rules, and the resources each auth / entry point / cache / Swagger / seed choice
 * adds or leaves out.
 */
import { readFileSync } from 'node:fs';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { CONFIG_JSON_SCHEMA } from '../../infra/paths.ts';
import type { Synthesized } from './synth.ts';

type Resource = { Type: string; Properties?: Record<string, any>; DependsOn?: string[] };

/** The logical ID of the one resource of `type` whose properties match. */
export function logicalId(template: Template, type: string, properties: Record<string, unknown> = {}): string {
  const found = Object.keys(template.findResources(type, { Properties: properties }));
  expect(found, `${type} matching ${JSON.stringify(properties)}`).toHaveLength(1);
  return found[0]!;
}

/** The staging bucket: the one bucket whose server access logs go under `staging-bucket/`. */
export function stagingBucketId(template: Template): string {
  return logicalId(template, 'AWS::S3::Bucket', {
    LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'staging-bucket/' }),
  });
}

function resource(template: Template, id: string): Resource {
  return template.toJSON().Resources[id] as Resource;
}

/** The data plane, found by its description. */
export function functionId(template: Template, description: string | RegExp): string {
  const matches = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([, r]) => {
    const text = (r as Resource).Properties?.Description;
    return (
      typeof text === 'string' && (typeof description === 'string' ? text === description : description.test(text))
    );
  });
  expect(matches, `function described ${String(description)}`).toHaveLength(1);
  return matches[0]![0];
}

export const FUNCTIONS = {
  dataPlane: 'Personalization APIs data plane (Hono)',
  validator: 'AppConfig validator: checks configurations and announces accepted ones',
  generateOpenApi: 'Writes openapi/openapi.json for the current configuration',
  syncCacheSettings: 'Keeps CloudFront and API Gateway cache settings in line with the configuration',
  syncDynamoDbTables: 'Creates and updates the item-metadata tables of dynamodb namespaces',
  loadItemMetadata: 'Loads import/ files into localdb files or DynamoDB tables',
  generateConfig: 'Generates the first configuration from Personalize resources and deploys it',
} as const;

/** Every statement of the inline policies attached to a function's role. */
export function roleStatements(template: Template, fnId: string): Array<Record<string, any>> {
  const role = resource(template, fnId).Properties?.Role?.['Fn::GetAtt']?.[0] as string;
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    ((p as Resource).Properties?.Roles ?? []).some((r: any) => r.Ref === role),
  );
  return policies.flatMap((p) => (p as Resource).Properties?.PolicyDocument.Statement);
}

/** The statement with this Sid. */
export function statement(statements: Array<Record<string, any>>, sid: string): Record<string, any> {
  const found = statements.find((s) => s.Sid === sid);
  expect(found, `statement ${sid}`).toBeDefined();
  return found!;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Renders a CloudFormation string (Fn::Join / Ref / GetAtt / pseudo parameters) as text for matching. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, any>;
    if ('Fn::Join' in v) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0]);
    if ('Ref' in v) return `{${v.Ref}}`;
    if ('Fn::GetAtt' in v) return `{${v['Fn::GetAtt'].join('.')}}`;
    if ('Fn::Select' in v) return `{select ${render(v['Fn::Select'][1])}}`;
  }
  return JSON.stringify(value);
}

/** Nothing but X-Ray (which has no resource-level permissions) may be granted on `*`. */
function expectScoped(statements: Array<Record<string, any>>, allowedStar: RegExp = /^xray:/) {
  for (const s of statements) {
    if (asList(s.Resource).includes('*')) {
      for (const action of asList(s.Action)) expect(action, `${action} on *`).toMatch(allowedStar);
    }
  }
}

export function expectSharedResources(s: Synthesized) {
  const t = s.main;
  const bucket = stagingBucketId(t);
  t.hasResourceProperties('Custom::S3BucketNotifications', {
    BucketName: { Ref: bucket },
    NotificationConfiguration: { EventBridgeConfiguration: {} },
  });
  // The staging bucket and the access-log bucket are emptied when the stack goes.
  t.resourceCountIs('Custom::S3AutoDeleteObjects', 2);

  // AppConfig: both validators, the strategy, names from the context.
  const validator = functionId(t, FUNCTIONS.validator);
  t.hasResourceProperties('AWS::AppConfig::Application', { Name: s.settings.applicationName });
  t.hasResourceProperties('AWS::AppConfig::Environment', { Name: s.settings.environmentName });
  t.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', {
    LocationUri: 'hosted',
    Validators: [
      { Type: 'JSON_SCHEMA', Content: JSON.stringify(JSON.parse(readFileSync(CONFIG_JSON_SCHEMA, 'utf8'))) },
      { Type: 'LAMBDA', Content: { 'Fn::GetAtt': [validator, 'Arn'] } },
    ],
  });
  t.hasResourceProperties('AWS::Lambda::Permission', {
    FunctionName: { 'Fn::GetAtt': [validator, 'Arn'] },
    Principal: 'appconfig.amazonaws.com',
  });
  t.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', { DeploymentDurationInMinutes: 0, GrowthFactor: 100 });
  const validatorPolicy = roleStatements(t, validator);
  expectScoped(validatorPolicy);
  const putEvents = validatorPolicy.find((st) => asList(st.Action).includes('events:PutEvents'));
  expect(render(putEvents?.Resource)).toBe(
    `arn:{AWS::Partition}:events:${s.stacks.main.region}:${s.stacks.main.account}:event-bus/default`,
  );
  t.hasResourceProperties('AWS::Lambda::Function', {
    Description: FUNCTIONS.validator,
    Environment: { Variables: Match.objectLike({ P13N_EVENT_BUS_NAME: 'default' }) },
  });

  expectDataPlane(s);
  expectControlPlaneRoles(s);
  expectStateMachines(s);
  expectInitialConfig(s);

  for (const key of [
    'ApiUrl',
    'StagingBucketName',
    'AppConfigApplicationId',
    'AppConfigEnvironmentId',
    'AppConfigConfigurationProfileId',
    'AppConfigDeploymentStrategyId',
    'DataPlaneFunctionName',
    'SyncResourcesStateMachineArn',
    'LoadItemMetadataStateMachineArn',
  ]) {
    t.hasOutput(key, {});
  }
}

function expectDataPlane(s: Synthesized) {
  const t = s.main;
  const fn = functionId(t, FUNCTIONS.dataPlane);
  const props = resource(t, fn).Properties!;
  expect(props.Runtime).toBe('nodejs24.x');
  expect(props.Architectures).toEqual(['x86_64']);
  expect(props.Handler).toBe('index.handler');
  expect(props.Layers).toHaveLength(1);
  expect(render(props.Layers[0])).toMatch(
    new RegExp(`^arn:aws:lambda:${s.stacks.main.region}:\\d{12}:layer:AWS-AppConfig-Extension:\\d+$`),
  );
  const env = props.Environment.Variables;
  const app = { Ref: logicalId(t, 'AWS::AppConfig::Application') };
  const environment = { Ref: logicalId(t, 'AWS::AppConfig::Environment') };
  const profile = { Ref: logicalId(t, 'AWS::AppConfig::ConfigurationProfile') };
  expect(env).toMatchObject({
    P13N_APPCONFIG_APPLICATION: app,
    P13N_APPCONFIG_ENVIRONMENT: environment,
    P13N_APPCONFIG_PROFILE: profile,
    P13N_STAGING_BUCKET: { Ref: stagingBucketId(t) },
    P13N_DEFAULT_TIME_ZONE: s.settings.timeZone,
    P13N_DATA_DIR: '/tmp/p13n',
    POWERTOOLS_SERVICE_NAME: 'personalization-apis-data-plane',
  });
  expect(render(env.AWS_APPCONFIG_EXTENSION_PREFETCH_LIST)).toBe(
    `/applications/${render(app)}/environments/${render(environment)}/configurations/${render(profile)}`,
  );

  const statements = roleStatements(t, fn);
  expectScoped(statements);
  const r = (sid: string) => asList(statement(statements, sid).Resource).map(render);
  const regional = (service: string, rest: string) =>
    `arn:{AWS::Partition}:${service}:${s.stacks.main.region}:${s.stacks.main.account}:${rest}`;
  expect(r('ReadConfiguration')).toEqual([
    regional(
      'appconfig',
      `application/${render(app)}/environment/${render(environment)}/configuration/${render(profile)}`,
    ),
  ]);
  expect(r('PersonalizeRuntime')).toEqual([
    regional('personalize', 'campaign/*'),
    regional('personalize', 'recommender/*'),
    regional('personalize', 'filter/*'),
  ]);
  expect(r('PersonalizeEvents')).toEqual([regional('personalize', 'event-tracker/*')]);
  expect(r('InvokeRecommenderFunctions')).toEqual([regional('lambda', 'function:*')]);
  expect(r('InvokeSageMakerEndpoints')).toEqual([regional('sagemaker', 'endpoint/*')]);
  // Functions and endpoints are named only in the runtime configuration: only tagged ones are invocable.
  for (const sid of ['InvokeRecommenderFunctions', 'InvokeSageMakerEndpoints']) {
    expect(statement(statements, sid).Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/personalization-apis': s.settings.applicationName },
    });
  }
  expect(r('ReadItemMetadataTables')).toEqual(
    s.settings.tableNamePrefixes.map((prefix) => regional('dynamodb', `table/${prefix}*`)),
  );
  // A new configuration reaches warm functions within 45 s: agent poll + data-plane poll of the agent.
  const agentPoll = Number(env.AWS_APPCONFIG_EXTENSION_POLL_INTERVAL_SECONDS);
  const dataPlanePoll = Number(env.P13N_CONFIG_POLL_INTERVAL_SECONDS);
  expect(agentPoll).toBeGreaterThanOrEqual(15);
  expect(agentPoll + dataPlanePoll).toBeLessThan(45);
  const bucket = stagingBucketId(t);
  expect(r('ReadLocalDbs')).toEqual([`{${bucket}.Arn}/localdbs/*`]);
  expect(statement(statements, 'ListLocalDbs').Condition).toEqual({ StringLike: { 's3:prefix': ['localdbs/*'] } });
  expect(r('PutKinesisRecords')).toEqual([regional('kinesis', 'stream/*')]);
  expect(r('PutFirehoseRecords')).toEqual([regional('firehose', 'deliverystream/*')]);
  expect(r('PutEventBridgeEvents')).toEqual([regional('events', 'event-bus/*')]);
  // The one table it writes: the event idempotency ledger, by item, with TTL.
  const ledgerTable = logicalId(t, 'AWS::DynamoDB::Table', {
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
  });
  expect(env.P13N_EVENT_IDEMPOTENCY_TABLE).toEqual({ Ref: ledgerTable });
  expect(statement(statements, 'EventIdempotencyLedger')).toMatchObject({
    Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'],
    Resource: { 'Fn::GetAtt': [ledgerTable, 'Arn'] },
  });
  // Nothing else writes: no Put/Delete on S3 or DynamoDB.
  const actions = statements
    .filter((st) => st.Sid !== 'EventIdempotencyLedger')
    .flatMap((st) => asList(st.Action) as string[]);
  expect(actions.filter((a) => /^(s3:(Put|Delete)|dynamodb:(Put|Update|Delete|BatchWrite))/.test(a))).toEqual([]);
}

function expectControlPlaneRoles(s: Synthesized) {
  const t = s.main;
  const bucket = stagingBucketId(t);
  const openApi = roleStatements(t, functionId(t, FUNCTIONS.generateOpenApi));
  expectScoped(openApi);
  expect(asList(statement(openApi, 'WriteOpenApi').Resource).map(render)).toEqual([`{${bucket}.Arn}/openapi/*`]);

  const tables = roleStatements(t, functionId(t, FUNCTIONS.syncDynamoDbTables));
  expectScoped(tables);
  const tableArns = s.settings.tableNamePrefixes.map(
    (prefix) => `arn:{AWS::Partition}:dynamodb:${s.stacks.main.region}:${s.stacks.main.account}:table/${prefix}*`,
  );
  expect(asList(statement(tables, 'ManageItemMetadataTables').Resource).map(render)).toEqual(tableArns);

  const load = roleStatements(t, functionId(t, FUNCTIONS.loadItemMetadata));
  expectScoped(load);
  expect(asList(statement(load, 'ReadImports').Resource).map(render)).toEqual([`{${bucket}.Arn}/import/*`]);
  expect(asList(statement(load, 'WriteLocalDbs').Resource).map(render)).toEqual([`{${bucket}.Arn}/localdbs/*`]);
  expect(asList(statement(load, 'LoadItemMetadataTables').Resource).map(render)).toEqual(tableArns);

  const cache = roleStatements(t, functionId(t, FUNCTIONS.syncCacheSettings));
  expectScoped(cache);
}

function expectStateMachines(s: Synthesized) {
  const t = s.main;
  const arnOf = (description: string) => ({ 'Fn::GetAtt': [functionId(t, description), 'Arn'] });
  t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
    DefinitionString: Match.stringLikeRegexp('\\$\\{GenerateOpenApiFunctionArn\\}'),
    DefinitionSubstitutions: {
      GenerateOpenApiFunctionArn: arnOf(FUNCTIONS.generateOpenApi),
      SyncCacheSettingsFunctionArn: arnOf(FUNCTIONS.syncCacheSettings),
      SyncDynamoDbTablesFunctionArn: arnOf(FUNCTIONS.syncDynamoDbTables),
    },
  });
  t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
    DefinitionString: Match.stringLikeRegexp('\\$\\{LoadItemMetadataFunctionArn\\}'),
    DefinitionSubstitutions: { LoadItemMetadataFunctionArn: arnOf(FUNCTIONS.loadItemMetadata) },
  });
  const sync = logicalId(t, 'AWS::StepFunctions::StateMachine', {
    DefinitionSubstitutions: Match.objectLike({ GenerateOpenApiFunctionArn: Match.anyValue() }),
  });
  const load = logicalId(t, 'AWS::StepFunctions::StateMachine', {
    DefinitionSubstitutions: Match.objectLike({ LoadItemMetadataFunctionArn: Match.anyValue() }),
  });
  t.resourceCountIs('AWS::Events::Rule', 2);
  t.hasResourceProperties('AWS::Events::Rule', {
    EventBusName: 'default',
    EventPattern: { source: ['personalization.apis'], 'detail-type': ['PersonalizationApisConfigurationChange'] },
    Targets: [Match.objectLike({ Arn: { Ref: sync } })],
  });
  t.hasResourceProperties('AWS::Events::Rule', {
    EventPattern: {
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [{ Ref: stagingBucketId(t) }] },
        object: { key: [{ prefix: 'import/' }] },
      },
    },
    Targets: [Match.objectLike({ Arn: { Ref: load } })],
  });
  // Each state machine may invoke its own functions and nothing else.
  for (const [machine, fns] of [
    [sync, [FUNCTIONS.generateOpenApi, FUNCTIONS.syncCacheSettings, FUNCTIONS.syncDynamoDbTables]],
    [load, [FUNCTIONS.loadItemMetadata]],
  ] as const) {
    const role = resource(t, machine).Properties!.RoleArn['Fn::GetAtt'][0];
    const invoke = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => (p as Resource).Properties!.Roles.some((r: any) => r.Ref === role))
      .flatMap((p) => (p as Resource).Properties!.PolicyDocument.Statement)
      .filter((st: any) => asList(st.Action).includes('lambda:InvokeFunction'))
      .flatMap((st: any) => asList(st.Resource).map(render));
    // The definitions call unqualified ARNs: no version or alias (`:*`) is granted.
    const expected = fns.map((d) => `{${functionId(t, d)}.Arn}`);
    expect(invoke.sort()).toEqual(expected.sort());
  }
}

function expectInitialConfig(s: Synthesized) {
  const t = s.main;
  if (s.settings.generateConfigDatasetGroups === undefined) {
    t.resourceCountIs('Custom::PersonalizationApisGeneratedConfig', 0);
    const version = logicalId(t, 'AWS::AppConfig::HostedConfigurationVersion');
    expect(JSON.parse(resource(t, version).Properties!.Content)).toEqual({ version: '1', namespaces: {} });
    const deployment = logicalId(t, 'AWS::AppConfig::Deployment');
    expect(resource(t, deployment).Properties!.ConfigurationVersion).toEqual({ Ref: version });
    expect(resource(t, deployment).DependsOn).toEqual(
      expect.arrayContaining([
        logicalId(t, 'AWS::Events::Rule', { EventBusName: 'default' }),
        logicalId(t, 'AWS::Lambda::Permission', { Principal: 'appconfig.amazonaws.com' }),
      ]),
    );
  } else {
    t.resourceCountIs('AWS::AppConfig::HostedConfigurationVersion', 0);
    t.resourceCountIs('AWS::AppConfig::Deployment', 0);
    t.hasResourceProperties('Custom::PersonalizationApisGeneratedConfig', {
      applicationId: { Ref: logicalId(t, 'AWS::AppConfig::Application') },
      environmentId: { Ref: logicalId(t, 'AWS::AppConfig::Environment') },
      configurationProfileId: { Ref: logicalId(t, 'AWS::AppConfig::ConfigurationProfile') },
      deploymentStrategyId: { Ref: logicalId(t, 'AWS::AppConfig::DeploymentStrategy') },
      datasetGroups: [...s.settings.generateConfigDatasetGroups],
    });
    const statements = roleStatements(t, functionId(t, FUNCTIONS.generateConfig));
    // Personalize List* has no resource-level permissions; everything else is scoped.
    expectScoped(statements, /^(xray:|personalize:(List|Describe))/);
  }
}

export function expectSwaggerUi(s: Synthesized) {
  const t = s.main;
  if (s.settings.createSwaggerUi) {
    t.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: stagingBucketId(t) },
      DestinationBucketKeyPrefix: 'swagger-ui/',
      Prune: true,
    });
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        Origins: Match.arrayWith([Match.objectLike({ OriginPath: '/swagger-ui' })]),
        CacheBehaviors: [Match.objectLike({ PathPattern: 'openapi/*' })],
      }),
    });
    t.hasOutput('SwaggerUiUrl', {});
  } else {
    t.resourceCountIs('Custom::CDKBucketDeployment', 0);
    expect(t.findOutputs('SwaggerUiUrl')).toEqual({});
  }
}

/**
 * Types CloudFormation cannot tag (or whose tags API Gateway, CloudFront and IAM keep elsewhere), and
 * CDK's own custom-resource providers: raw CloudFormation resources that CDK's tagging does not reach
 * and that only run during deployments.
 */
const UNTAGGABLE =
  /^(Custom::|AWS::(ApiGateway::(Account|Authorizer|Deployment|GatewayResponse|Method|RequestValidator|Resource|UsagePlanKey)|ApiGatewayV2::(Authorizer|Integration|Route)|AppConfig::HostedConfigurationVersion|CloudFront::(CachePolicy|OriginAccessControl|OriginRequestPolicy)|Cognito::UserPoolClient|IAM::Policy|Lambda::(LayerVersion|Permission|Version)|S3::BucketPolicy|SQS::QueuePolicy|WAFv2::WebACLAssociation)$)/;
const CDK_PROVIDER = /^Custom(S3AutoDeleteObjects|CrossRegion\w+)CustomResourceProvider/;

/** Every taggable resource of every stack carries each of `tags` (list or map form). */
export function expectTagged(s: Synthesized, tags: Record<string, string>) {
  for (const template of [s.main, ...(s.edge ? [s.edge] : [])]) {
    for (const [id, r] of Object.entries(template.toJSON().Resources) as Array<[string, Resource]>) {
      if (UNTAGGABLE.test(r.Type) || CDK_PROVIDER.test(id)) continue;
      const raw = r.Properties?.Tags ?? r.Properties?.UserPoolTags;
      const found: Record<string, string> = Array.isArray(raw)
        ? Object.fromEntries(raw.map((tag: { Key: string; Value: string }) => [tag.Key, tag.Value]))
        : (raw ?? {});
      expect(found, `tags of ${id} (${r.Type})`).toMatchObject(tags);
    }
  }
}
