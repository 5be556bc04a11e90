/**
 * The Cognito user pool and app client whose tokens the OAuth2-Cognito scheme accepts. Tokens come
 * from `initiate-auth` with the client (USER_PASSWORD_AUTH or SRP); self sign-up is off.
 */
import { CfnOutput, Stack } from 'aws-cdk-lib';
import { AccountRecovery, UserPool, type UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** What verifies a token: the pool, its app client and the pool's region. */
export interface UserPoolRef {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly region: string;
}

export class Cognito extends Construct implements UserPoolRef {
  public readonly userPool: UserPool;
  public readonly client: UserPoolClient;
  public readonly userPoolId: string;
  public readonly clientId: string;
  public readonly region: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
    });
    this.client = this.userPool.addClient('Client', {
      authFlows: { userPassword: true, userSrp: true },
      generateSecret: false,
    });
    this.userPoolId = this.userPool.userPoolId;
    this.clientId = this.client.userPoolClientId;
    this.region = Stack.of(this).region;
    new CfnOutput(Stack.of(this), 'CognitoUserPoolId', {
      value: this.userPoolId,
      description: 'Cognito user pool whose tokens the APIs accept',
    });
    new CfnOutput(Stack.of(this), 'CognitoUserPoolClientId', {
      value: this.clientId,
      description: 'Cognito app client to get tokens with (aws cognito-idp initiate-auth --client-id ...)',
    });
  }
}
