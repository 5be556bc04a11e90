/**
 * The whole system in one stack (plus the us-east-1 stack Lambda@Edge needs when this one is
 * elsewhere): staging bucket, AppConfig, the data plane behind an HTTP or REST API, CloudFront,
 * Cognito, the control plane with its state machines and rules, the first configuration, Swagger UI,
 * and an output for every URL and ID a user needs.
 */

import { readFileSync } from 'node:fs';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { acknowledgeCdkHelpers } from '../acknowledgements.ts';
import { AppConfig } from '../constructs/app-config.ts';
import { Cdn } from '../constructs/cdn.ts';
import { Cognito, type UserPoolRef } from '../constructs/cognito.ts';
import { Connectors } from '../constructs/connectors.ts';
import { ControlPlaneFunctions } from '../constructs/control-plane-functions.ts';
import { OperationsDashboard } from '../constructs/dashboard.ts';
import { DataPlaneFunction } from '../constructs/data-plane-function.ts';
import { EdgeAuth } from '../constructs/edge-auth.ts';
import { ExperimentAnalytics } from '../constructs/experiment-analytics.ts';
import { PersonalizationHttpApi } from '../constructs/http-api.ts';
import { InitialConfig } from '../constructs/initial-config.ts';
import { LogBucket } from '../constructs/log-bucket.ts';
import { OriginSecret } from '../constructs/origin-secret.ts';
import { PersonalizationRestApi, type RestApiAuth } from '../constructs/rest-api.ts';
import { StagingBucket } from '../constructs/staging-bucket.ts';
import { StateMachines } from '../constructs/state-machines.ts';
import { SwaggerUi } from '../constructs/swagger-ui.ts';
import { WebAcl } from '../constructs/web-acl.ts';
import { CONFIG_JSON_SCHEMA } from '../paths.ts';
import type { DeploymentSettings } from '../settings.ts';

export interface PersonalizationApisStackProps extends StackProps {
  readonly settings: DeploymentSettings;
  /**
   * The us-east-1 stack for the edge-auth function and the user pool it embeds, and for the
   * CloudFront web ACL; required when OAuth2-Cognito or webAcl meets CloudFront and this stack is not
   * in us-east-1.
   */
  readonly edgeStack?: Stack;
}

export class PersonalizationApisStack extends Stack {
  constructor(scope: Construct, id: string, props: PersonalizationApisStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const name = `${settings.applicationName}-${settings.environmentName}`;
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });

    const logBucket = new LogBucket(this, 'AccessLogs').bucket;
    const staging = new StagingBucket(this, 'Staging', { logBucket });
    const bucket = staging.bucket;
    const eventBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    const appConfig = new AppConfig(this, 'AppConfig', {
      applicationName: settings.applicationName,
      environmentName: settings.environmentName,
      jsonSchema: readFileSync(CONFIG_JSON_SCHEMA, 'utf8'),
      eventBus,
    });
    const dataPlane = new DataPlaneFunction(this, 'DataPlane', {
      appConfig,
      stagingBucket: bucket,
      timeZone: settings.timeZone,
      applicationName: settings.applicationName,
      tableNamePrefixes: settings.tableNamePrefixes,
      appConfigExtensionLayerArn: settings.appConfigExtensionLayerArn,
    });
    // CloudFront web ACLs live in us-east-1: in the edge stack when this stack is elsewhere.
    const cloudFrontWebAclArn =
      settings.webAcl && settings.cloudFront
        ? new WebAcl(props.edgeStack ?? this, 'CdnWebAcl', { scope: 'CLOUDFRONT', metricPrefix: `${name}-cdn` }).arn
        : undefined;

    let pool: UserPoolRef | undefined;
    if (settings.cognito?.kind === 'existing') pool = settings.cognito;
    else if (settings.cognito?.kind === 'create') {
      // The edge function embeds the pool's IDs, so the pool lives in the edge function's stack.
      const inEdgeStack = settings.cloudFront && props.edgeStack !== undefined;
      pool = new Cognito(inEdgeStack && props.edgeStack ? props.edgeStack : this, 'Cognito');
    }

    const apiUrls: string[] = [];
    let cdn: Cdn | undefined;
    let restApi: PersonalizationRestApi | undefined;
    let apiUrl: string;
    // Behind CloudFront with OAuth2-Cognito, the edge-auth function verifies tokens on viewer requests.
    const edgeAuthorized = pool !== undefined && settings.cloudFront;
    const unauthorizedReason = edgeAuthorized
      ? 'OAuth2-Cognito behind CloudFront: the edge-auth function verifies tokens on viewer requests ' +
        '(an authorizer here would need the Authorization header in the CloudFront cache key).'
      : 'authenticationScheme None: the operator chose APIs anyone can call.';
    const addCdn = (originDomainName: string, originPath?: string) => {
      const edgeAuth =
        pool !== undefined
          ? new EdgeAuth(this, 'EdgeAuth', { pool, edgeStackId: props.edgeStack?.node.id ?? `${id}-edge` })
          : undefined;
      // Direct calls to the API's own URL would skip the edge-auth function and the web ACL.
      const originSecret = new OriginSecret(this, 'OriginSecret');
      originSecret.requireOn(dataPlane.function);
      const distribution = new Cdn(this, 'Cdn', {
        originDomainName,
        originHeader: originSecret.header,
        originPath,
        viewerRequestAuth: edgeAuth?.function.currentVersion,
        logBucket,
        webAclArn: cloudFrontWebAclArn,
        domain: settings.cdnDomain,
      });
      apiUrls.push(distribution.url);
      output('CdnUrl', distribution.url, 'CloudFront URL of the APIs: use this one');
      if (settings.cdnDomain) {
        output(
          'CdnAliasTarget',
          distribution.distribution.distributionDomainName,
          `Point a CNAME (or Route 53 alias) for ${settings.cdnDomain.name} here`,
        );
      }
      output(
        'CachePolicyId',
        distribution.cachePolicy.cachePolicyId,
        'CloudFront cache policy the control plane keeps in sync',
      );
      output(
        'OriginRequestPolicyId',
        distribution.originRequestPolicy.originRequestPolicyId,
        'CloudFront origin-request policy the control plane keeps in sync',
      );
      return distribution;
    };
    if (settings.apiEntryPointType === 'API-Gateway-HTTP') {
      const httpApi = new PersonalizationHttpApi(this, 'HttpApi', {
        handler: dataPlane.function,
        apiName: name,
        jwt: pool !== undefined && !settings.cloudFront ? pool : undefined,
        unauthorizedReason,
      });
      apiUrl = httpApi.url;
      if (settings.cloudFront) cdn = addCdn(httpApi.domainName);
      output('HttpApiUrl', apiUrl, 'API Gateway HTTP API URL');
    } else {
      let auth: RestApiAuth = { kind: 'none', reason: unauthorizedReason };
      if (settings.authenticationScheme === 'ApiKey') auth = { kind: 'api-key' };
      else if (pool !== undefined && !edgeAuthorized)
        auth = { kind: 'cognito', pool, userPool: pool instanceof Cognito ? pool.userPool : undefined };
      restApi = new PersonalizationRestApi(this, 'RestApi', {
        handler: dataPlane.function,
        apiName: name,
        stageName: settings.environmentName,
        auth,
        cache: settings.apiGatewayCache,
        webAcl: settings.webAcl,
        behindCloudFront: settings.cloudFront,
      });
      apiUrl = restApi.url;
      if (settings.cloudFront) cdn = addCdn(restApi.domainName, `/${restApi.stageName}`);
      output('RestApiUrl', apiUrl, 'API Gateway REST API URL (stage included)');
      if (restApi.apiKey) {
        output(
          'ApiKeyId',
          restApi.apiKey.keyId,
          'API key ID: aws apigateway get-api-key --include-value --api-key <id>',
        );
      }
    }
    // Behind CloudFront the API's own URL refuses calls (no origin secret): the API description lists only the CDN.
    if (!cdn) apiUrls.push(apiUrl);
    output('ApiUrl', apiUrls[0] ?? apiUrl, 'The URL clients call');

    const controlPlane = new ControlPlaneFunctions(this, 'ControlPlane', {
      stagingBucket: bucket,
      appConfig,
      apiUrls,
      authenticationScheme: settings.authenticationScheme,
      cdn: cdn && {
        cachePolicyId: cdn.cachePolicy.cachePolicyId,
        originRequestPolicyId: cdn.originRequestPolicy.originRequestPolicyId,
      },
      restApi: restApi && { restApiId: restApi.api.restApiId, stageName: restApi.stageName },
      tableNamePrefixes: settings.tableNamePrefixes,
    });
    const stateMachines = new StateMachines(this, 'StateMachines', {
      stagingBucket: bucket,
      eventBus,
      generateOpenApi: controlPlane.generateOpenApi,
      syncCacheSettings: controlPlane.syncCacheSettings,
      syncDynamoDbTables: controlPlane.syncDynamoDbTables,
      loadItemMetadata: controlPlane.loadItemMetadata,
    });
    // The first deployment runs the validator, whose announcement must find the rule and state machine.
    new InitialConfig(this, 'InitialConfig', {
      appConfig,
      datasetGroups: settings.generateConfigDatasetGroups,
      deployAfter: [appConfig.validatorPermission, stateMachines.configurationChangeRule, stateMachines.syncResources],
    });

    if (settings.connectors) {
      new Connectors(this, 'Connectors', {
        settings: settings.connectors,
        stagingBucket: bucket,
        logBucket,
        tableNamePrefixes: settings.tableNamePrefixes,
      });
    }

    if (settings.createSwaggerUi) {
      const swaggerUi = new SwaggerUi(this, 'SwaggerUi', {
        stagingBucket: bucket,
        logBucket,
        webAclArn: cloudFrontWebAclArn,
      });
      output('SwaggerUiUrl', swaggerUi.url, 'Swagger UI for the generated OpenAPI document (public)');
    }

    if (settings.experimentAnalytics) {
      const analytics = new ExperimentAnalytics(this, 'ExperimentAnalytics', { name, producer: dataPlane.function });
      output(
        'ExperimentRecordsStreamName',
        analytics.deliveryStream.deliveryStreamName,
        'Firehose stream for experiment records: add it to a namespace as a kinesis-firehose event target',
      );
      output('ExperimentRecordsBucketName', analytics.bucket.bucketName, 'S3 bucket of the delivered records');
      output('ExperimentAthenaWorkgroup', analytics.workgroupName, 'p13n experiments report --athena-workgroup');
      output('ExperimentGlueDatabase', analytics.databaseName, 'p13n experiments report --database');
    }

    const operations = new OperationsDashboard(this, 'Operations', { name, dataPlane: dataPlane.function });
    output('DashboardName', operations.dashboard.dashboardName, 'CloudWatch dashboard of the data plane');
    output('StagingBucketName', bucket.bucketName, 'Staging bucket: upload item metadata under import/{namespace}/');
    output('AppConfigApplicationId', appConfig.applicationId, 'AppConfig application');
    output('AppConfigEnvironmentId', appConfig.environmentId, 'AppConfig environment');
    output('AppConfigConfigurationProfileId', appConfig.configurationProfileId, 'AppConfig configuration profile');
    output('AppConfigDeploymentStrategyId', appConfig.deploymentStrategyId, 'AppConfig deployment strategy');
    output('DataPlaneFunctionName', dataPlane.function.functionName, 'Data-plane Lambda function');
    output('SyncResourcesStateMachineArn', stateMachines.syncResources.stateMachineArn, 'sync-resources state machine');
    output(
      'LoadItemMetadataStateMachineArn',
      stateMachines.loadItemMetadata.stateMachineArn,
      'load-item-metadata state machine',
    );
    acknowledgeCdkHelpers(this);
  }
}
