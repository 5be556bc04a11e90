/**
 * The first configuration version and its deployment. Without dataset groups a skeleton that serves
 * nothing yet is seeded; with them the generate-config custom resource builds a configuration from
 * the account's Personalize resources and creates and deploys the hosted version itself, and deletes
 * the versions it created when the stack is deleted (AppConfig keeps a profile that still has any).
 */
import { CustomResource, Duration } from 'aws-cdk-lib';
import { CfnDeployment, CfnHostedConfigurationVersion } from 'aws-cdk-lib/aws-appconfig';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct, type IDependable } from 'constructs';
import {
  acknowledge,
  BASIC_EXECUTION_ROLE_FINDING,
  CDK_HELPER_REASON,
  wildcardResourceFinding,
} from '../acknowledgements.ts';
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
      wildcardResourceReason:
        'Personalize List* and Describe* on the dataset groups the operator names: List* has no resource-level ' +
        'permissions and the resources are found at deployment.',
    });
    const profileArn = appConfig.arn(
      `application/${appConfig.applicationId}/configurationprofile/${appConfig.configurationProfileId}`,
    );
    const hostedVersions = `${profileArn}/hostedconfigurationversion/*`;
    const deployments = appConfig.arn(
      `application/${appConfig.applicationId}/environment/${appConfig.environmentId}/deployment/*`,
    );
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
        actions: ['appconfig:CreateHostedConfigurationVersion', 'appconfig:ListHostedConfigurationVersions'],
        resources: [profileArn],
      }),
    );
    generator.addToRolePolicy(
      new PolicyStatement({
        sid: 'DeleteHostedVersions',
        actions: ['appconfig:DeleteHostedConfigurationVersion'],
        resources: [hostedVersions],
      }),
    );
    generator.addToRolePolicy(
      new PolicyStatement({
        sid: 'StartDeployment',
        actions: ['appconfig:StartDeployment', 'appconfig:GetDeployment'],
        resources: [
          appConfig.arn(`application/${appConfig.applicationId}/environment/${appConfig.environmentId}`),
          deployments,
          profileArn,
          appConfig.arn(`deploymentstrategy/${appConfig.deploymentStrategyId}`),
        ],
      }),
    );
    acknowledge(generator.role!, {
      [wildcardResourceFinding(this, hostedVersions)]:
        "This profile's hosted versions: their numbers are assigned when the function creates them.",
      [wildcardResourceFinding(this, deployments)]:
        "This environment's deployments, whose numbers AppConfig assigns (GetDeployment follows the one started).",
    });
    const provider = new Provider(this, 'Provider', { onEventHandler: generator });
    acknowledge(provider, {
      [BASIC_EXECUTION_ROLE_FINDING]: CDK_HELPER_REASON,
      [wildcardResourceFinding(this, `${generator.functionArn}:*`)]: CDK_HELPER_REASON,
    });
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
