import {
  AppConfigDataClient,
  GetLatestConfigurationCommand,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { fetchAppConfig } from '../../../control-plane/load-item-metadata/fetch-appconfig.ts';

const appConfigData = mockClient(AppConfigDataClient);
const where = { application: 'p13n', environment: 'prod', profile: 'config' };
const body = (text: string) => ({ Configuration: new TextEncoder().encode(text) as any });

beforeEach(() => {
  appConfigData.reset();
  appConfigData.on(StartConfigurationSessionCommand).resolves({ InitialConfigurationToken: 'token-1' });
});

describe('fetchAppConfig', () => {
  it('resolves the deployed configuration read with the session token', async () => {
    appConfigData.on(GetLatestConfigurationCommand).resolves(body('{"version":"5","namespaces":{}}'));
    const resolved = await fetchAppConfig(new AppConfigDataClient({}), where);
    expect(resolved.version).toBe('5');
    expect(appConfigData.commandCalls(GetLatestConfigurationCommand)[0]!.args[0].input).toEqual({
      ConfigurationToken: 'token-1',
    });
  });

  it('fails clearly when nothing is deployed or the deployed configuration is invalid', async () => {
    appConfigData.on(GetLatestConfigurationCommand).resolves(body(''));
    await expect(fetchAppConfig(new AppConfigDataClient({}), where)).rejects.toThrow(
      'AppConfig p13n/prod/config has no deployed configuration',
    );
    appConfigData.on(GetLatestConfigurationCommand).resolves(body('{"namespaces":{"bad key":{}}}'));
    await expect(fetchAppConfig(new AppConfigDataClient({}), where)).rejects.toMatchObject({
      name: 'ValidationFailed',
      message: expect.stringMatching(/^deployed configuration is invalid \(1 problem\): \$\.namespaces/),
    });
  });
});
