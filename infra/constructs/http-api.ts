/**
 * The API Gateway HTTP API entry point: every route goes to the data plane (payload format 2.0).
 * With OAuth2-Cognito and no CloudFront in front, a JWT authorizer checks Cognito tokens here;
 * behind CloudFront the edge-auth function does it instead. The default stage writes JSON access logs
 * to CloudWatch Logs.
 */
import { Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type CfnStage, CorsHttpMethod, HttpApi, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledgements.ts';
import type { UserPoolRef } from './cognito.ts';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE } from './cors.ts';

/** One JSON line per request, from `$context` variables HTTP APIs support. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
};

export interface PersonalizationHttpApiProps {
  readonly handler: IFunction;
  readonly apiName: string;
  /** Verify Cognito JWTs at the API. */
  readonly jwt?: UserPoolRef;
  /** Why the routes have no authorizer, when `jwt` is not set (a cdk-nag acknowledgement). */
  readonly unauthorizedReason?: string;
}

export class PersonalizationHttpApi extends Construct {
  public readonly api: HttpApi;
  /** The invoke URL, ending with `/`. */
  public readonly url: string;
  /** The API's host name, for a CloudFront origin. */
  public readonly domainName: string;

  constructor(scope: Construct, id: string, props: PersonalizationHttpApiProps) {
    super(scope, id);
    let authorizer: IHttpRouteAuthorizer | undefined;
    if (props.jwt) {
      authorizer = new HttpJwtAuthorizer(
        'CognitoJwt',
        `https://cognito-idp.${props.jwt.region}.${Stack.of(this).urlSuffix}/${props.jwt.userPoolId}`,
        { jwtAudience: [props.jwt.clientId] },
      );
    }
    this.api = new HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: 'Personalization APIs',
      defaultIntegration: new HttpLambdaIntegration('DataPlane', props.handler),
      defaultAuthorizer: authorizer,
      corsPreflight: {
        allowOrigins: ['*'],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.HEAD, CorsHttpMethod.OPTIONS],
        allowHeaders: CORS_ALLOW_HEADERS,
        exposeHeaders: CORS_EXPOSE_HEADERS,
        maxAge: CORS_MAX_AGE,
      },
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // HttpApi's default stage takes no log settings, so they are set on its CloudFormation resource.
    const stage = this.api.defaultStage?.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify(ACCESS_LOG_FIELDS),
    };
    if (!props.jwt) {
      if (props.unauthorizedReason === undefined) throw new Error('an HTTP API without jwt needs unauthorizedReason');
      acknowledge(this.api, { 'AwsSolutions-APIG4': props.unauthorizedReason });
    }
    this.url = `${this.api.apiEndpoint}/`;
    this.domainName = Fn.select(2, Fn.split('/', this.api.apiEndpoint));
  }
}
