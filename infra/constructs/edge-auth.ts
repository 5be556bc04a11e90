/**
 * The edge-auth function: Lambda@Edge on viewer requests, verifying Cognito JWTs before CloudFront
 * serves from its cache or calls the API. Lambda@Edge lives in us-east-1: from another region
 * `cloudfront.experimental.EdgeFunction` puts it in a us-east-1 stack and hands its version ARN
 * back through SSM, so the Cognito IDs it embeds must come from that same stack (or be literals).
 */
import { Duration } from 'aws-cdk-lib';
import { experimental } from 'aws-cdk-lib/aws-cloudfront';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { Code, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge, BASIC_EXECUTION_ROLE_FINDING } from '../acknowledgements.ts';
import { edgeCode } from '../bundling/edge-code.ts';
import { controlPlaneEntry } from '../paths.ts';
import type { UserPoolRef } from './cognito.ts';

export interface EdgeAuthProps {
  readonly pool: UserPoolRef;
  /** The id of the us-east-1 stack holding the function when this stack is elsewhere. */
  readonly edgeStackId: string;
}

export class EdgeAuth extends Construct {
  public readonly function: experimental.EdgeFunction;

  constructor(scope: Construct, id: string, props: EdgeAuthProps) {
    super(scope, id);
    this.function = new experimental.EdgeFunction(this, 'Function', {
      stackId: props.edgeStackId,
      description: 'Personalization APIs: verifies Cognito JWTs on viewer requests',
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      memorySize: 128,
      timeout: Duration.seconds(5),
      code: Code.fromInline(
        edgeCode(controlPlaneEntry('edge-auth'), {
          P13N_COGNITO_USER_POOL_ID: props.pool.userPoolId,
          P13N_COGNITO_CLIENT_ID: props.pool.clientId,
          P13N_COGNITO_REGION: props.pool.region,
        }),
      ),
    });
    // EdgeFunction exposes its function's role only as grantPrincipal; the function (here, or in the
    // us-east-1 stack) is the scope CDK created that role in.
    const lambdaFunction = (this.function.grantPrincipal as Role).node.scope as IConstruct;
    acknowledge(lambdaFunction, {
      'AwsSolutions-L1':
        'Lambda@Edge supports Node.js runtimes up to nodejs22.x only; the function moves to nodejs24.x when ' +
        'CloudFront supports it.',
      [BASIC_EXECUTION_ROLE_FINDING]:
        'Lambda@Edge writes its logs to log groups named by CloudFront in every region that serves a request; ' +
        'the basic execution policy is the documented way to allow them.',
    });
  }
}
