/**
 * The API Gateway REST API entry point (edge-optimized). GET and POST on every path go to the data
 * plane as a Lambda proxy; GETs key the stage cache by the path and the documented query parameters
 * (the control plane adds the headers auto-context reads). Authentication is an API key with a
 * usage plan (ApiKey) or a Cognito authorizer accepting access tokens (OAuth2-Cognito); preflight
 * OPTIONS never need either.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import {
  ApiKey,
  ApiKeySourceType,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  Cors,
  LambdaIntegration,
  type MethodOptions,
  ResponseType,
  RestApi,
  UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import { type IUserPool, UserPool } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { INFERENCE_QUERY_PARAMETERS } from '../../contracts/inference-query.ts';
import type { UserPoolRef } from './cognito.ts';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE } from './cors.ts';

/** Initial stage-cache TTL; the control plane keeps it in line with the configuration. */
const INITIAL_CACHE_TTL = Duration.minutes(5);

/** The scope Cognito puts in access tokens issued to an app client's users. */
const COGNITO_ACCESS_TOKEN_SCOPE = 'aws.cognito.signin.user.admin';

export type RestApiAuth =
  | { kind: 'none' }
  | { kind: 'api-key' }
  | { kind: 'cognito'; pool: UserPoolRef; userPool?: IUserPool };

export interface PersonalizationRestApiProps {
  readonly handler: IFunction;
  readonly apiName: string;
  readonly stageName: string;
  readonly auth: RestApiAuth;
  /** Provision the stage cache cluster and cache GETs. */
  readonly cache: boolean;
}

export class PersonalizationRestApi extends Construct {
  public readonly api: RestApi;
  /** The invoke URL of the stage, ending with `/`. */
  public readonly url: string;
  public readonly stageName: string;
  public readonly apiKey?: ApiKey;

  constructor(scope: Construct, id: string, props: PersonalizationRestApiProps) {
    super(scope, id);
    const getPath = '/{proxy+}/GET';
    this.api = new RestApi(this, 'Api', {
      restApiName: props.apiName,
      description: 'Personalization APIs',
      apiKeySourceType: ApiKeySourceType.HEADER,
      defaultCorsPreflightOptions: {
        allowOrigins: Cors.ALL_ORIGINS,
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        allowHeaders: CORS_ALLOW_HEADERS,
        maxAge: CORS_MAX_AGE,
      },
      deployOptions: {
        stageName: props.stageName,
        tracingEnabled: true,
        ...(props.cache
          ? {
              cacheClusterEnabled: true,
              cacheClusterSize: '0.5',
              methodOptions: {
                [getPath]: { cachingEnabled: true, cacheTtl: INITIAL_CACHE_TTL, cacheDataEncrypted: true },
              },
            }
          : {}),
      },
    });
    this.stageName = props.stageName;

    let methodOptions: MethodOptions = {};
    if (props.auth.kind === 'api-key') {
      methodOptions = { apiKeyRequired: true };
    } else if (props.auth.kind === 'cognito') {
      const { pool } = props.auth;
      const userPool =
        props.auth.userPool ??
        UserPool.fromUserPoolArn(
          this,
          'UserPool',
          Stack.of(this).formatArn({
            service: 'cognito-idp',
            region: pool.region,
            resource: 'userpool',
            resourceName: pool.userPoolId,
          }),
        );
      const authorizer = new CognitoUserPoolsAuthorizer(this, 'Authorizer', { cognitoUserPools: [userPool] });
      methodOptions = {
        authorizer,
        authorizationType: AuthorizationType.COGNITO,
        authorizationScopes: [COGNITO_ACCESS_TOKEN_SCOPE],
      };
    }

    const integration = new LambdaIntegration(props.handler);
    const cachedIntegration = new LambdaIntegration(props.handler, {
      cacheKeyParameters: [
        'method.request.path.proxy',
        ...INFERENCE_QUERY_PARAMETERS.map((name) => `method.request.querystring.${name}`),
      ],
    });
    const proxy = this.api.root.addResource('{proxy+}');
    proxy.addMethod('GET', cachedIntegration, {
      ...methodOptions,
      requestParameters: {
        'method.request.path.proxy': true,
        ...Object.fromEntries(INFERENCE_QUERY_PARAMETERS.map((name) => [`method.request.querystring.${name}`, false])),
      },
    });
    proxy.addMethod('POST', integration, methodOptions);
    this.api.root.addMethod('GET', integration, methodOptions);
    this.api.addGatewayResponse('Default4xxCors', {
      type: ResponseType.DEFAULT_4XX,
      responseHeaders: {
        'Access-Control-Allow-Origin': "'*'",
        'Access-Control-Expose-Headers': `'${CORS_EXPOSE_HEADERS.join(',')}'`,
      },
    });

    if (props.auth.kind === 'api-key') {
      this.apiKey = new ApiKey(this, 'ApiKey', { description: 'Personalization APIs client key' });
      const plan = new UsagePlan(this, 'UsagePlan', {
        description: 'Personalization APIs clients',
        apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
      });
      plan.addApiKey(this.apiKey);
    }
    this.url = this.api.url;
  }
}
