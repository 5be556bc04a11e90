/**
 * The first configuration version and its deployment. Without dataset groups a skeleton that serves
 * nothing yet is seeded; with them the generate-config custom resource builds a configuration from
 * the account's Personalize resources and creates and deploys the hosted version itself.
 */
import { CustomResource, Duration } from 'aws-cdk-lib';
import { CfnDeployment, CfnHostedConfigurationVersion } from 'aws-cdk-lib/aws-appconfig';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct, type IDependable } from 'constructs';
import { controlPlaneEntry } from '../paths.ts';
import type { AppConfig } from './app-config.ts';
import { createNodeFunction } from './node-function.ts';

/** The seed: valid, and serving no namespace until the user deploys a real configuration. */
const SKELETON_CONFIG = { version: '1', namespaces: {} } as const;

export interface InitialConfigProps {
  readonly appConfig: AppConfig;
  /** Dataset group names or `['all']`; undefined seeds the skeleton. */
  readonly datasetGroups: readonly string[] | undefined;
  /** What must exist before the first deployment runs (the validator's permission, the sync rule). */
  readonly deployAfter: readonly IDependable[];
}

export class InitialConfig extends Construct {
  constructor(scope: Construct, id: string, props: InitialConfigProps) {
    super(scope, id);
    const { appConfig } = props;
    if (props.datasetGroups === undefined) {
      const version = new CfnHostedConfigurationVersion(this, 'SeedVersion', {
        applicationId: appConfig.applicationId,
        configurationProfileId: appConfig.configurationProfileId,
        contentType: 'application/json',
        content: JSON.stringify(SKELETON_CONFIG, null, 2),
        description: 'Skeleton configuration created at deployment',
      });
      const deployment = new CfnDeployment(this, 'SeedDeployment', {
        applicationId: appConfig.applicationId,
        environmentId: appConfig.environmentId,
        configurationProfileId: appConfig.configurationProfileId,
        deploymentStrategyId: appConfig.deploymentStrategyId,
        configurationVersion: version.ref,
      });
      for (const dependency of props.deployAfter) deployment.node.addDependency(dependency);
      return;
    }

    const generator = createNodeFunction(this, 'GenerateConfigFunction', {
      entry: controlPlaneEntry('generate-config'),
      description: 'Generates the first configuration from Personalize resources and deploys it',
      timeout: Duration.minutes(5),
    });
    generator.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadPersonalizeResources',
        // Personalize's List* actions do not support resource-level permissions.
        actions: [
          'personalize:ListDatasetGroups',
          'personalize:ListRecommenders',
          'personalize:ListCampaigns',
          'personalize:ListEventTrackers',
          'personalize:ListFilters',
          'personalize:DescribeDatasetGroup',
          'personalize:DescribeRecommender',
          'personalize:DescribeCampaign',
          'personalize:DescribeSolution',
          'personalize:DescribeSolutionVersion',
          'personalize:DescribeEventTracker',
          'personalize:DescribeFilter',
        ],
        resources: ['*'],
      }),
    );
    generator.addToRolePolicy(
      new PolicyStatement({
        sid: 'CreateHostedVersion',
        actions: ['appconfig:CreateHostedConfigurationVersion'],
        resources: [
          appConfig.arn(
            `application/${appConfig.applicationId}/configurationprofile/${appConfig.configurationProfileId}`,
          ),
        ],
      }),
    );
    generator.addToRolePolicy(
      new PolicyStatement({
        sid: 'StartDeployment',
        actions: ['appconfig:StartDeployment', 'appconfig:GetDeployment'],
        resources: [
          appConfig.arn(`application/${appConfig.applicationId}/environment/${appConfig.environmentId}`),
          appConfig.arn(`application/${appConfig.applicationId}/environment/${appConfig.environmentId}/deployment/*`),
          appConfig.arn(
            `application/${appConfig.applicationId}/configurationprofile/${appConfig.configurationProfileId}`,
          ),
          appConfig.arn(`deploymentstrategy/${appConfig.deploymentStrategyId}`),
        ],
      }),
    );
    const provider = new Provider(this, 'Provider', { onEventHandler: generator });
    const resource = new CustomResource(this, 'GeneratedConfig', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::PersonalizationApisGeneratedConfig',
      properties: {
        applicationId: appConfig.applicationId,
        environmentId: appConfig.environmentId,
        configurationProfileId: appConfig.configurationProfileId,
        deploymentStrategyId: appConfig.deploymentStrategyId,
        datasetGroups: [...props.datasetGroups],
      },
    });
    for (const dependency of props.deployAfter) resource.node.addDependency(dependency);
  }
}
