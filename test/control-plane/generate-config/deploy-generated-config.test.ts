import {
  AppConfigClient,
  CreateHostedConfigurationVersionCommand,
  DeleteHostedConfigurationVersionCommand,
  ListHostedConfigurationVersionsCommand,
  ResourceNotFoundException,
  StartDeploymentCommand,
} from '@aws-sdk/client-appconfig';
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  deployGeneratedConfig,
  GENERATED_VERSION_DESCRIPTION,
} from '../../../control-plane/generate-config/deploy-generated-config.ts';
import { handler } from '../../../control-plane/generate-config/handler.ts';
import { validateConfig } from '../../../schema/validate-config.ts';
import { recordingLogger } from '../helpers/recording-logger.ts';
import { fakePersonalize } from './personalize-fake.ts';

const appConfig = mockClient(AppConfigClient);
const props = {
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
  applicationId: 'app1',
  environmentId: 'env1',
  configurationProfileId: 'prof1',
  deploymentStrategyId: 'strat1',
  datasetGroups: 'retail, media',
};
const deps = () => ({
  personalize: new PersonalizeClient({}),
  appConfig: new AppConfigClient({}),
  logger: recordingLogger(),
});

beforeEach(() => {
  appConfig.reset();
  fakePersonalize();
  appConfig.on(CreateHostedConfigurationVersionCommand).resolves({ VersionNumber: 4 });
  appConfig.on(StartDeploymentCommand).resolves({ DeploymentNumber: 9 });
});

describe('generate-config custom resource', () => {
  it('on Create stores the generated configuration as a hosted version and deploys it', async () => {
    const out = await deployGeneratedConfig({ RequestType: 'Create', ResourceProperties: props }, deps());
    expect(out).toEqual({
      PhysicalResourceId: 'app1/prof1/generated-config',
      Data: { ConfigurationVersion: '4', DeploymentNumber: '9' },
    });
    const create = appConfig.commandCalls(CreateHostedConfigurationVersionCommand)[0]!.args[0].input;
    expect(create).toMatchObject({
      ApplicationId: 'app1',
      ConfigurationProfileId: 'prof1',
      ContentType: 'application/json',
    });
    const content = JSON.parse(new TextDecoder().decode(create.Content as Uint8Array));
    expect(Object.keys(content.namespaces)).toEqual(['retail', 'media']);
    expect(validateConfig(content).ok).toBe(true);
    expect(appConfig.commandCalls(StartDeploymentCommand)[0]!.args[0].input).toMatchObject({
      ApplicationId: 'app1',
      EnvironmentId: 'env1',
      ConfigurationProfileId: 'prof1',
      DeploymentStrategyId: 'strat1',
      ConfigurationVersion: '4',
    });
  });

  it('on Update regenerates only when the dataset groups change', async () => {
    const same = await deployGeneratedConfig(
      {
        RequestType: 'Update',
        PhysicalResourceId: 'app1/prof1/generated-config',
        ResourceProperties: props,
        OldResourceProperties: { ...props, datasetGroups: 'retail,media' },
      },
      deps(),
    );
    expect(same).toEqual({ PhysicalResourceId: 'app1/prof1/generated-config' });
    expect(appConfig.calls()).toHaveLength(0);

    await deployGeneratedConfig(
      {
        RequestType: 'Update',
        PhysicalResourceId: 'app1/prof1/generated-config',
        ResourceProperties: { ...props, datasetGroups: 'all' },
        OldResourceProperties: props,
      },
      deps(),
    );
    expect(appConfig.commandCalls(StartDeploymentCommand)).toHaveLength(1);
  });

  it('does nothing when no dataset group is selected', async () => {
    await deployGeneratedConfig({ RequestType: 'Create', ResourceProperties: { ...props, datasetGroups: '' } }, deps());
    expect(appConfig.calls()).toHaveLength(0);
  });

  it('on Delete deletes the hosted versions it created, over every page, and leaves the others', async () => {
    const version = (VersionNumber: number, Description?: string) => ({
      ApplicationId: 'app1',
      ConfigurationProfileId: 'prof1',
      VersionNumber,
      Description,
    });
    appConfig
      .on(ListHostedConfigurationVersionsCommand, { NextToken: undefined })
      .resolves({
        Items: [version(1, 'Skeleton'), version(2, GENERATED_VERSION_DESCRIPTION)],
        NextToken: 'page-2',
      })
      .on(ListHostedConfigurationVersionsCommand, { NextToken: 'page-2' })
      .resolves({ Items: [version(3), version(4, GENERATED_VERSION_DESCRIPTION)] });
    appConfig
      .on(DeleteHostedConfigurationVersionCommand, { VersionNumber: 4 })
      .rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    appConfig.on(DeleteHostedConfigurationVersionCommand, { VersionNumber: 2 }).resolves({});

    const out = await deployGeneratedConfig(
      { RequestType: 'Delete', PhysicalResourceId: 'app1/prof1/generated-config', ResourceProperties: props },
      deps(),
    );
    expect(out).toEqual({ PhysicalResourceId: 'app1/prof1/generated-config' });
    expect(appConfig.commandCalls(ListHostedConfigurationVersionsCommand).map((c) => c.args[0].input)).toEqual([
      { ApplicationId: 'app1', ConfigurationProfileId: 'prof1', MaxResults: 50, NextToken: undefined },
      { ApplicationId: 'app1', ConfigurationProfileId: 'prof1', MaxResults: 50, NextToken: 'page-2' },
    ]);
    // Version 4 was already gone: still a successful Delete.
    expect(appConfig.commandCalls(DeleteHostedConfigurationVersionCommand).map((c) => c.args[0].input)).toEqual([
      { ApplicationId: 'app1', ConfigurationProfileId: 'prof1', VersionNumber: 2 },
      { ApplicationId: 'app1', ConfigurationProfileId: 'prof1', VersionNumber: 4 },
    ]);
  });

  it('on Delete succeeds when the profile is already gone, and fails on any other error', async () => {
    appConfig
      .on(ListHostedConfigurationVersionsCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'no profile', $metadata: {} }))
      .rejectsOnce(new Error('AccessDenied'));
    const event = {
      RequestType: 'Delete' as const,
      PhysicalResourceId: 'app1/prof1/generated-config',
      ResourceProperties: props,
    };
    await expect(deployGeneratedConfig(event, deps())).resolves.toEqual({
      PhysicalResourceId: 'app1/prof1/generated-config',
    });
    await expect(deployGeneratedConfig(event, deps())).rejects.toThrow('AccessDenied');
    expect(appConfig.commandCalls(DeleteHostedConfigurationVersionCommand)).toHaveLength(0);
  });

  it('the handler rejects an event without the AppConfig identifiers, naming them', async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    await expect(
      handler({ RequestType: 'Create', ResourceProperties: { datasetGroups: 'all' } }),
    ).rejects.toMatchObject({
      name: 'InvalidInput',
      message: expect.stringContaining('$.ResourceProperties.applicationId'),
    });
  });
});
