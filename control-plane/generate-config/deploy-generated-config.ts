/**
 * The custom resource's core: on Create (and on an Update that changes the dataset groups) generate a
 * configuration, store it as a new hosted AppConfig version (AppConfig runs the validators on it) and
 * deploy it. Delete removes the hosted versions it created (recognised by their description), because
 * AppConfig refuses to delete a configuration profile that still has hosted versions, and the profile
 * goes right after this resource when the stack is deleted.
 */
import {
  type AppConfigClient,
  CreateHostedConfigurationVersionCommand,
  DeleteHostedConfigurationVersionCommand,
  ListHostedConfigurationVersionsCommand,
  ResourceNotFoundException,
  StartDeploymentCommand,
} from '@aws-sdk/client-appconfig';
import type { PersonalizeClient } from '@aws-sdk/client-personalize';
import type { Logger } from '../../shared/logger.ts';
import { type CustomResourceEvent, datasetGroupSelection, type GenerateConfigProps } from './custom-resource-event.ts';
import { generateConfig } from './generate-config.ts';

export interface DeployGeneratedConfigDeps {
  personalize: PersonalizeClient;
  appConfig: AppConfigClient;
  logger: Logger;
}

export interface CustomResourceResponse {
  PhysicalResourceId: string;
  Data?: Record<string, string>;
}

/** Marks the hosted versions this resource creates, so Delete removes those and no others. */
export const GENERATED_VERSION_DESCRIPTION = 'Generated from Amazon Personalize resources';

/** Bounds the listing on Delete: 100 pages of 50 versions. */
const MAX_LIST_PAGES = 100;

const physicalId = (p: GenerateConfigProps) => `${p.applicationId}/${p.configurationProfileId}/generated-config`;

async function generateAndDeploy(props: GenerateConfigProps, deps: DeployGeneratedConfigDeps) {
  const selection = datasetGroupSelection(props.datasetGroups);
  if (!selection) {
    deps.logger.info('no dataset groups selected; no configuration generated');
    return { ConfigurationVersion: '', DeploymentNumber: '' };
  }
  const { config, skipped } = await generateConfig({ personalize: deps.personalize, datasetGroups: selection });
  for (const s of skipped) deps.logger.info('resource left out of the generated configuration', s);
  const version = await deps.appConfig.send(
    new CreateHostedConfigurationVersionCommand({
      ApplicationId: props.applicationId,
      ConfigurationProfileId: props.configurationProfileId,
      Content: new TextEncoder().encode(JSON.stringify(config, null, 2)),
      ContentType: 'application/json',
      Description: GENERATED_VERSION_DESCRIPTION,
    }),
  );
  const deployment = await deps.appConfig.send(
    new StartDeploymentCommand({
      ApplicationId: props.applicationId,
      EnvironmentId: props.environmentId,
      ConfigurationProfileId: props.configurationProfileId,
      DeploymentStrategyId: props.deploymentStrategyId,
      ConfigurationVersion: String(version.VersionNumber),
      Description: 'Generated configuration',
    }),
  );
  deps.logger.info('generated configuration deployed', {
    version: version.VersionNumber,
    deployment: deployment.DeploymentNumber,
    namespaces: Object.keys(config.namespaces),
  });
  return {
    ConfigurationVersion: String(version.VersionNumber ?? ''),
    DeploymentNumber: String(deployment.DeploymentNumber ?? ''),
  };
}

/** Deletes the profile's hosted versions this resource created; a profile already gone is not an error. */
async function deleteGeneratedVersions(props: GenerateConfigProps, deps: DeployGeneratedConfigDeps) {
  const ids = { ApplicationId: props.applicationId, ConfigurationProfileId: props.configurationProfileId };
  const generated: number[] = [];
  try {
    let NextToken: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const out = await deps.appConfig.send(
        new ListHostedConfigurationVersionsCommand({ ...ids, MaxResults: 50, NextToken }),
      );
      for (const item of out.Items ?? []) {
        if (item.Description === GENERATED_VERSION_DESCRIPTION && item.VersionNumber !== undefined) {
          generated.push(item.VersionNumber);
        }
      }
      NextToken = out.NextToken;
      if (!NextToken) break;
    }
    for (const VersionNumber of generated) {
      await deps.appConfig
        .send(new DeleteHostedConfigurationVersionCommand({ ...ids, VersionNumber }))
        .catch((error: unknown) => {
          if (!(error instanceof ResourceNotFoundException)) throw error;
        });
    }
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    deps.logger.info('configuration profile already deleted; no hosted version left to delete', ids);
    return;
  }
  deps.logger.info('generated hosted configuration versions deleted', { ...ids, versions: generated });
}

/**
 * @example
 * await deployGeneratedConfig({ RequestType: 'Create', ResourceProperties: { applicationId: 'a1', environmentId: 'e1',
 *   configurationProfileId: 'p1', deploymentStrategyId: 'd1', datasetGroups: 'all' } }, deps);
 */
export async function deployGeneratedConfig(
  event: CustomResourceEvent,
  deps: DeployGeneratedConfigDeps,
): Promise<CustomResourceResponse> {
  switch (event.RequestType) {
    case 'Create':
      return {
        PhysicalResourceId: physicalId(event.ResourceProperties),
        Data: await generateAndDeploy(event.ResourceProperties, deps),
      };
    case 'Update': {
      const before = JSON.stringify(datasetGroupSelection(event.OldResourceProperties.datasetGroups));
      const after = JSON.stringify(datasetGroupSelection(event.ResourceProperties.datasetGroups));
      if (before === after) {
        // Regenerating would overwrite edits made to the configuration since it was generated.
        deps.logger.info('dataset groups unchanged; the deployed configuration is left as it is');
        return { PhysicalResourceId: event.PhysicalResourceId };
      }
      return {
        PhysicalResourceId: physicalId(event.ResourceProperties),
        Data: await generateAndDeploy(event.ResourceProperties, deps),
      };
    }
    case 'Delete':
      await deleteGeneratedVersions(event.ResourceProperties, deps);
      return { PhysicalResourceId: event.PhysicalResourceId };
  }
}
