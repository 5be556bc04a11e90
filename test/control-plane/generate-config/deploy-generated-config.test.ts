import {
  AppConfigClient,
  CreateHostedConfigurationVersionCommand,
  StartDeploymentCommand,
} from '@aws-sdk/client-appconfig';
import { PersonalizeClient } from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { deployGeneratedConfig } from '../../../control-plane/generate-config/deploy-generated-config.ts';
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

  it('does nothing on Delete or when no dataset group is selected', async () => {
    await expect(
      deployGeneratedConfig({ RequestType: 'Delete', PhysicalResourceId: 'app1/prof1/generated-config' }, deps()),
    ).resolves.toEqual({ PhysicalResourceId: 'app1/prof1/generated-config' });
    await deployGeneratedConfig({ RequestType: 'Create', ResourceProperties: { ...props, datasetGroups: '' } }, deps());
    expect(appConfig.calls()).toHaveLength(0);
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
