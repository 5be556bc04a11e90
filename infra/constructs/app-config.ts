/**
 * AppConfig holds the live configuration: an application, an environment, a hosted free-form
 * profile guarded by two validators (the committed JSON Schema, then the config-validator Lambda,
 * deployed here, which also announces accepted changes on EventBridge) and an all-at-once
 * deployment strategy.
 */
import { Aws, Stack } from 'aws-cdk-lib';
import {
  CfnApplication,
  CfnConfigurationProfile,
  CfnDeploymentStrategy,
  CfnEnvironment,
} from 'aws-cdk-lib/aws-appconfig';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { controlPlaneEntry } from '../paths.ts';
import { createNodeFunction } from './node-function.ts';

/** AppConfig's limit on a validator's content. */
const MAX_VALIDATOR_CONTENT = 32_768;

/** What readers of the live configuration need: its IDs and the ARN to grant reading it. */
export interface ConfigurationRef {
  readonly applicationId: string;
  readonly environmentId: string;
  readonly configurationProfileId: string;
  configurationArn(): string;
}

export interface AppConfigProps {
  readonly applicationName: string;
  readonly environmentName: string;
  /** The configuration's JSON Schema (draft-04) text. */
  readonly jsonSchema: string;
  /** Where the validator announces accepted configurations. */
  readonly eventBus: IEventBus;
}

export class AppConfig extends Construct implements ConfigurationRef {
  public readonly applicationId: string;
  public readonly environmentId: string;
  public readonly configurationProfileId: string;
  public readonly deploymentStrategyId: string;
  /** The LAMBDA validator (control-plane/config-validator). */
  public readonly validator: NodejsFunction;
  /** AppConfig's permission to call the validator: deployments must wait for it. */
  public readonly validatorPermission: CfnPermission;

  constructor(scope: Construct, id: string, props: AppConfigProps) {
    super(scope, id);
    const schema = JSON.stringify(JSON.parse(props.jsonSchema));
    if (schema.length > MAX_VALIDATOR_CONTENT) {
      throw new Error(
        `The configuration JSON Schema is ${schema.length} characters once minified; AppConfig accepts at most ${MAX_VALIDATOR_CONTENT}`,
      );
    }
    this.validator = createNodeFunction(this, 'ValidatorFunction', {
      entry: controlPlaneEntry('config-validator'),
      description: 'AppConfig validator: checks configurations and announces accepted ones',
      environment: {
        POWERTOOLS_SERVICE_NAME: 'personalization-apis-control-plane',
        P13N_EVENT_BUS_NAME: props.eventBus.eventBusName,
      },
    });
    props.eventBus.grantPutEventsTo(this.validator);
    const application = new CfnApplication(this, 'Application', {
      name: props.applicationName,
      description: 'Personalization APIs configuration',
    });
    const environment = new CfnEnvironment(this, 'Environment', {
      applicationId: application.ref,
      name: props.environmentName,
    });
    const profile = new CfnConfigurationProfile(this, 'Profile', {
      applicationId: application.ref,
      name: 'personalization-apis',
      locationUri: 'hosted',
      type: 'AWS.Freeform',
      validators: [
        { type: 'JSON_SCHEMA', content: schema },
        { type: 'LAMBDA', content: this.validator.functionArn },
      ],
    });
    const strategy = new CfnDeploymentStrategy(this, 'Strategy', {
      name: `${props.applicationName}-${props.environmentName}-all-at-once`,
      deploymentDurationInMinutes: 0,
      finalBakeTimeInMinutes: 0,
      growthFactor: 100,
      growthType: 'LINEAR',
      replicateTo: 'NONE',
    });

    this.validator.addPermission('AppConfigInvoke', {
      principal: new ServicePrincipal('appconfig.amazonaws.com'),
      sourceAccount: Aws.ACCOUNT_ID,
      sourceArn: this.arn(`application/${application.ref}*`),
    });
    this.validatorPermission = this.validator.permissionsNode.findChild('AppConfigInvoke') as CfnPermission;

    this.applicationId = application.ref;
    this.environmentId = environment.ref;
    this.configurationProfileId = profile.ref;
    this.deploymentStrategyId = strategy.ref;
  }

  /** An AppConfig ARN in this stack's region and account, e.g. `arn('deploymentstrategy/abc')`. */
  arn(path: string): string {
    return Stack.of(this).formatArn({ service: 'appconfig', resource: path });
  }

  /** The ARN IAM uses for reading this profile's configuration in this environment. */
  configurationArn(): string {
    return this.arn(
      `application/${this.applicationId}/environment/${this.environmentId}/configuration/${this.configurationProfileId}`,
    );
  }
}
