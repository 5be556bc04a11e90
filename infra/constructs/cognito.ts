/**
 * The Cognito user pool and app client whose tokens the OAuth2-Cognito scheme accepts. Tokens come
 * from `initiate-auth` with the client (USER_PASSWORD_AUTH or SRP); self sign-up is off. A strong
 * password policy, optional TOTP MFA and the Plus feature plan's threat protection (enforced) are on.
 */
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledgements.ts';

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
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
    });
    acknowledge(this.userPool, {
      'AwsSolutions-COG2':
        'MFA is optional (TOTP): API callers are often services that get tokens with USER_PASSWORD_AUTH and ' +
        'cannot answer an MFA challenge; people who sign in can enable TOTP.',
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
