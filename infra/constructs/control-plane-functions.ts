/**
 * The control-plane functions the state machines run: generate-openapi, sync-cache-settings,
 * sync-dynamodb-tables and load-item-metadata, each with the environment it reads and a role
 * limited to the resources it touches.
 */
import { ArnFormat, Duration, Size, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { AuthScheme } from '../../contracts/auth-schemes.ts';
import { acknowledgeWildcardResources } from '../acknowledgements.ts';
import { controlPlaneEntry } from '../paths.ts';
import type { ConfigurationRef } from './app-config.ts';
import { TABLE_PREFIX_REASON } from './data-plane-function.ts';
import { createNodeFunction } from './node-function.ts';

const OPENAPI_REASON = 'Writes the generated document under openapi/ only.';

export interface ControlPlaneFunctionsProps {
  readonly stagingBucket: IBucket;
  readonly appConfig: ConfigurationRef;
  /** Every public URL of the APIs, listed as servers in the OpenAPI document. */
  readonly apiUrls: readonly string[];
  readonly authenticationScheme: AuthScheme;
  /** The CloudFront policies to keep in sync, when there is a distribution. */
  readonly cdn?: { readonly cachePolicyId: string; readonly originRequestPolicyId: string };
  /** The REST API stage whose cache to keep in sync, when the entry point is REST. */
  readonly restApi?: { readonly restApiId: string; readonly stageName: string };
  /** Item-metadata table name prefixes the configuration may use (`tableNamePrefix`). */
  readonly tableNamePrefixes: readonly string[];
}

export class ControlPlaneFunctions extends Construct {
  public readonly generateOpenApi: NodejsFunction;
  public readonly syncCacheSettings: NodejsFunction;
  public readonly syncDynamoDbTables: NodejsFunction;
  public readonly loadItemMetadata: NodejsFunction;

  constructor(scope: Construct, id: string, props: ControlPlaneFunctionsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const bucket = props.stagingBucket;
    const tables = props.tableNamePrefixes.map((prefix) =>
      stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: `${prefix}*` }),
    );
    const service = { POWERTOOLS_SERVICE_NAME: 'personalization-apis-control-plane' };

    this.generateOpenApi = createNodeFunction(this, 'GenerateOpenApi', {
      entry: controlPlaneEntry('generate-openapi'),
      description: 'Writes openapi/openapi.json for the current configuration',
      environment: {
        ...service,
        P13N_STAGING_BUCKET: bucket.bucketName,
        P13N_API_URLS: props.apiUrls.join(','),
        P13N_AUTH_SCHEME: props.authenticationScheme,
      },
    });
    this.generateOpenApi.addToRolePolicy(
      new PolicyStatement({
        sid: 'WriteOpenApi',
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects('openapi/*')],
      }),
    );
    acknowledgeWildcardResources(this.generateOpenApi.role!, [bucket.arnForObjects('openapi/*')], OPENAPI_REASON);

    const cacheEnvironment: Record<string, string> = { ...service };
    if (props.cdn) {
      cacheEnvironment.P13N_CACHE_POLICY_ID = props.cdn.cachePolicyId;
      cacheEnvironment.P13N_ORIGIN_REQUEST_POLICY_ID = props.cdn.originRequestPolicyId;
    }
    if (props.restApi) {
      cacheEnvironment.P13N_REST_API_ID = props.restApi.restApiId;
      cacheEnvironment.P13N_REST_API_STAGE = props.restApi.stageName;
    }
    this.syncCacheSettings = createNodeFunction(this, 'SyncCacheSettings', {
      entry: controlPlaneEntry('sync-cache-settings'),
      description: 'Keeps CloudFront and API Gateway cache settings in line with the configuration',
      environment: cacheEnvironment,
    });
    if (props.cdn) {
      const cloudFront = (resource: string, resourceName: string) =>
        stack.formatArn({ service: 'cloudfront', region: '', resource, resourceName });
      this.syncCacheSettings.addToRolePolicy(
        new PolicyStatement({
          sid: 'SyncCloudFrontPolicies',
          actions: [
            'cloudfront:GetCachePolicy',
            'cloudfront:UpdateCachePolicy',
            'cloudfront:GetOriginRequestPolicy',
            'cloudfront:UpdateOriginRequestPolicy',
          ],
          resources: [
            cloudFront('cache-policy', props.cdn.cachePolicyId),
            cloudFront('origin-request-policy', props.cdn.originRequestPolicyId),
          ],
        }),
      );
    }
    if (props.restApi) {
      const api = (path: string) =>
        stack.formatArn({
          service: 'apigateway',
          account: '',
          resource: `/restapis/${props.restApi?.restApiId}${path}`,
          arnFormat: ArnFormat.NO_RESOURCE_NAME,
        });
      this.syncCacheSettings.addToRolePolicy(
        new PolicyStatement({
          sid: 'ReadRestApi',
          actions: ['apigateway:GET'],
          resources: [api(''), api('/*')],
        }),
      );
      this.syncCacheSettings.addToRolePolicy(
        new PolicyStatement({
          sid: 'UpdateRestApiCaching',
          actions: ['apigateway:PATCH', 'apigateway:POST'],
          resources: [api(`/stages/${props.restApi.stageName}`), api('/resources/*'), api('/deployments')],
        }),
      );
      acknowledgeWildcardResources(
        this.syncCacheSettings.role!,
        [api('/*'), api('/resources/*')],
        "This REST API's own resources and methods, whose IDs API Gateway assigns at deployment.",
      );
    }

    this.syncDynamoDbTables = createNodeFunction(this, 'SyncDynamoDbTables', {
      entry: controlPlaneEntry('sync-dynamodb-tables'),
      description: 'Creates and updates the item-metadata tables of dynamodb namespaces',
      environment: service,
    });
    this.syncDynamoDbTables.addToRolePolicy(
      new PolicyStatement({
        sid: 'ManageItemMetadataTables',
        actions: [
          'dynamodb:CreateTable',
          'dynamodb:UpdateTable',
          'dynamodb:DescribeTable',
          'dynamodb:TagResource',
          'dynamodb:ListTagsOfResource',
        ],
        resources: tables,
      }),
    );
    acknowledgeWildcardResources(this.syncDynamoDbTables.role!, tables, TABLE_PREFIX_REASON);

    this.loadItemMetadata = createNodeFunction(this, 'LoadItemMetadata', {
      entry: controlPlaneEntry('load-item-metadata'),
      description: 'Loads import/ files into localdb files or DynamoDB tables',
      native: true,
      memorySize: 2048,
      timeout: Duration.minutes(15),
      ephemeralStorageSize: Size.gibibytes(4),
      environment: {
        ...service,
        P13N_STAGING_BUCKET: bucket.bucketName,
        P13N_APPCONFIG_APPLICATION: props.appConfig.applicationId,
        P13N_APPCONFIG_ENVIRONMENT: props.appConfig.environmentId,
        P13N_APPCONFIG_PROFILE: props.appConfig.configurationProfileId,
      },
    });
    const allowLoad = (sid: string, actions: string[], resources: string[]) =>
      this.loadItemMetadata.addToRolePolicy(new PolicyStatement({ sid, actions, resources }));
    allowLoad('ReadImports', ['s3:GetObject'], [bucket.arnForObjects('import/*')]);
    allowLoad('WriteLocalDbs', ['s3:PutObject'], [bucket.arnForObjects('localdbs/*')]);
    allowLoad(
      'ReadConfiguration',
      ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
      [props.appConfig.configurationArn()],
    );
    allowLoad(
      'LoadItemMetadataTables',
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:Scan',
        'dynamodb:Query',
        'dynamodb:DescribeTable',
      ],
      tables,
    );
    acknowledgeWildcardResources(this.loadItemMetadata.role!, tables, TABLE_PREFIX_REASON);
    acknowledgeWildcardResources(
      this.loadItemMetadata.role!,
      [bucket.arnForObjects('import/*'), bucket.arnForObjects('localdbs/*')],
      'Reads the uploads under import/ and writes the localdb files under localdbs/ of every namespace.',
    );
  }
}
