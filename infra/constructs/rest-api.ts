/**
 * The API Gateway REST API entry point (edge-optimized, or regional behind our CloudFront with
 * cacheScheme Both). GET and POST on every path go to the data plane as a Lambda proxy; GETs key the
 * stage cache by the path and the documented query parameters (the control plane adds the headers
 * auto-context reads) — and, behind our CloudFront, by the origin-secret header, so a caller of the
 * stage URL without the secret never gets an answer CloudFront's requests put in the cache. Authentication is an API key with a usage plan (ApiKey) or a Cognito authorizer
 * accepting access tokens (OAuth2-Cognito without CloudFront; behind it the edge-auth function checks
 * them); preflight OPTIONS never need either. The stage writes JSON access logs and error execution logs to CloudWatch
 * Logs, a request validator checks the declared parameters (bodies are checked by the data plane,
 * whose 400s name the field), and the optional regional web ACL filters requests first.
 */
import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  ApiKey,
  ApiKeySourceType,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  Cors,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type MethodOptions,
  ResponseType,
  RestApi,
  UsagePlan,
} from 'aws-cdk-lib/aws-apigateway';
import { type IUserPool, UserPool } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { INFERENCE_QUERY_PARAMETERS } from '../../contracts/inference-query.ts';
import { ORIGIN_SECRET_CACHE_KEY } from '../../contracts/origin-secret.ts';
import { acknowledge, type Findings } from '../acknowledgements.ts';
import type { UserPoolRef } from './cognito.ts';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE } from './cors.ts';
import { WebAcl } from './web-acl.ts';

/** Initial stage-cache TTL; the control plane keeps it in line with the configuration. */
const INITIAL_CACHE_TTL = Duration.minutes(5);

/** The scope Cognito puts in access tokens issued to an app client's users. */
const COGNITO_ACCESS_TOKEN_SCOPE = 'aws.cognito.signin.user.admin';

export type RestApiAuth =
  /** No method authorization; `reason` says why (the operator chose None, or CloudFront's edge-auth checks tokens). */
  { kind: 'none'; reason: string } | { kind: 'api-key' } | { kind: 'cognito'; pool: UserPoolRef; userPool?: IUserPool };

export interface PersonalizationRestApiProps {
  readonly handler: IFunction;
  readonly apiName: string;
  readonly stageName: string;
  readonly auth: RestApiAuth;
  /** Provision the stage cache cluster and cache GETs. */
  readonly cache: boolean;
  /** Put a regional AWS WAF web ACL in front of the stage. */
  readonly webAcl: boolean;
  /** Our CloudFront distribution fronts the API (cacheScheme Both): a regional endpoint, not edge-optimized. */
  readonly behindCloudFront?: boolean;
}

export class PersonalizationRestApi extends Construct {
  public readonly api: RestApi;
  /** The invoke URL of the stage, ending with `/`. */
  public readonly url: string;
  /** The API's host name, for a CloudFront origin. */
  public readonly domainName: string;
  public readonly stageName: string;
  public readonly apiKey?: ApiKey;

  constructor(scope: Construct, id: string, props: PersonalizationRestApiProps) {
    super(scope, id);
    const getPath = '/{proxy+}/GET';
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: props.apiName,
      description: 'Personalization APIs',
      apiKeySourceType: ApiKeySourceType.HEADER,
      // Behind our own distribution an edge-optimized endpoint would add a second CloudFront hop.
      endpointTypes: props.behindCloudFront ? [EndpointType.REGIONAL] : undefined,
      defaultCorsPreflightOptions: {
        allowOrigins: Cors.ALL_ORIGINS,
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        allowHeaders: CORS_ALLOW_HEADERS,
        maxAge: CORS_MAX_AGE,
      },
      deployOptions: {
        stageName: props.stageName,
        tracingEnabled: true,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
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

    methodOptions = {
      ...methodOptions,
      requestValidator: this.api.addRequestValidator('Validator', {
        validateRequestBody: true,
        validateRequestParameters: true,
      }),
    };

    const integration = new LambdaIntegration(props.handler);
    const bySecret = props.behindCloudFront && props.cache ? [ORIGIN_SECRET_CACHE_KEY] : [];
    const cachedIntegration = new LambdaIntegration(props.handler, {
      cacheKeyParameters: [
        'method.request.path.proxy',
        ...INFERENCE_QUERY_PARAMETERS.map((name) => `method.request.querystring.${name}`),
        ...bySecret,
      ],
    });
    const proxy = this.api.root.addResource('{proxy+}');
    proxy.addMethod('GET', cachedIntegration, {
      ...methodOptions,
      requestParameters: {
        'method.request.path.proxy': true,
        ...Object.fromEntries(INFERENCE_QUERY_PARAMETERS.map((name) => [`method.request.querystring.${name}`, false])),
        ...Object.fromEntries(bySecret.map((name) => [name, false])),
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
    if (props.webAcl) {
      const acl = new WebAcl(this, 'WebAcl', { scope: 'REGIONAL', metricPrefix: props.apiName });
      new CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: this.api.deploymentStage.stageArn,
        webAclArn: acl.arn,
      });
    }
    this.acknowledgeFindings(props);
    this.url = this.api.url;
    this.domainName = Fn.select(2, Fn.split('/', this.url));
  }

  private acknowledgeFindings(props: PersonalizationRestApiProps) {
    const findings: Findings = {};
    if (props.auth.kind === 'none') {
      findings['AwsSolutions-APIG4'] = props.auth.reason;
      findings['AwsSolutions-COG4'] = props.auth.reason;
    } else if (props.auth.kind === 'api-key') {
      findings['AwsSolutions-APIG4'] =
        'authenticationScheme ApiKey: every method requires the x-api-key header of the usage plan instead of an authorizer.';
      findings['AwsSolutions-COG4'] = 'authenticationScheme ApiKey: callers present an API key, not Cognito tokens.';
    }
    if (!props.webAcl) {
      findings['AwsSolutions-APIG3'] =
        'AWS WAF is opt-in (context key webAcl=Yes adds managed rule groups and a per-IP rate limit): it is ' +
        'billed per web ACL, rule and request.';
    }
    acknowledge(this.api, findings);
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      acknowledge(cloudWatchRole, {
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]':
          "API Gateway's account-wide logging role for execution logs; AmazonAPIGatewayPushToCloudWatchLogs is " +
          'the policy AWS documents for it.',
      });
    }
  }
}
