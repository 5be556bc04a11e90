/**
 * The API Gateway HTTP API entry point: every route goes to the data plane (payload format 2.0).
 * With OAuth2-Cognito and no CloudFront in front, a JWT authorizer checks Cognito tokens here;
 * behind CloudFront the edge-auth function does it instead.
 */
import { Fn, Stack } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { UserPoolRef } from './cognito.ts';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE } from './cors.ts';

export interface PersonalizationHttpApiProps {
  readonly handler: IFunction;
  readonly apiName: string;
  /** Verify Cognito JWTs at the API. */
  readonly jwt?: UserPoolRef;
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
    this.url = `${this.api.apiEndpoint}/`;
    this.domainName = Fn.select(2, Fn.split('/', this.api.apiEndpoint));
  }
}
