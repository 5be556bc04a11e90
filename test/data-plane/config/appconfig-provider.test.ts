import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AppConfigDataClient,
  BadRequestException,
  GetLatestConfigurationCommand,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAppConfigAgentProvider } from '../../../data-plane/config/appconfig-agent-provider.ts';
import { createAppConfigDataProvider } from '../../../data-plane/config/appconfig-data-provider.ts';
import { configProviderFromEnv, targetFromPrefetchList } from '../../../data-plane/config/provider-from-env.ts';
import { readDataPlaneEnv } from '../../../data-plane/env.ts';
import { silentLogger } from '../../../shared/logger.ts';

const config = (version: string) => JSON.stringify({ version, namespaces: { shop: {} } });
const target = { application: 'p13n', environment: 'prod', profile: 'main' };

describe('AppConfig agent provider', () => {
  let server: Server;
  let baseUrl: string;
  let body = config('1');
  let status = 200;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads from the agent path, picks up changes and keeps the last good one on bad content or errors', async () => {
    const provider = createAppConfigAgentProvider({ ...target, baseUrl, logger: silentLogger, pollIntervalMs: 60_000 });
    await provider.start();
    expect(paths[0]).toBe('/applications/p13n/environments/prod/configurations/main');
    expect(provider.current().version).toBe('1');

    body = config('2');
    await provider.refresh();
    expect(provider.current().version).toBe('2');

    body = '{"namespaces": 5}';
    await provider.refresh();
    expect(provider.current().version).toBe('2');

    status = 500;
    await provider.refresh();
    expect(provider.current().version).toBe('2');
    await provider.stop();
    status = 200;
    body = config('1');
  });

  it('fails to start when the agent does not answer', async () => {
    const provider = createAppConfigAgentProvider({ ...target, baseUrl: 'http://127.0.0.1:1', logger: silentLogger });
    await expect(provider.start()).rejects.toThrow(/cannot fetch from the AppConfig agent/);
  });
});

describe('AppConfigData provider', () => {
  const appconfig = mockClient(AppConfigDataClient);
  afterEach(() => {
    appconfig.reset();
    vi.useRealTimers();
  });
  /** Response blobs as the SDK types them (a Uint8Array is what arrives on the wire). */
  const enc = (s: string) => new TextEncoder().encode(s) as never;

  it('starts a session, polls at NextPollIntervalInSeconds and treats an empty body as unchanged', async () => {
    vi.useFakeTimers();
    appconfig.on(StartConfigurationSessionCommand).resolves({ InitialConfigurationToken: 't0' });
    appconfig
      .on(GetLatestConfigurationCommand)
      .resolvesOnce({
        Configuration: enc(config('1')),
        NextPollConfigurationToken: 't1',
        NextPollIntervalInSeconds: 30,
      })
      .resolvesOnce({ Configuration: enc(''), NextPollConfigurationToken: 't2', NextPollIntervalInSeconds: 30 })
      .resolvesOnce({
        Configuration: enc(config('2')),
        NextPollConfigurationToken: 't3',
        NextPollIntervalInSeconds: 30,
      });
    const provider = createAppConfigDataProvider({
      ...target,
      client: new AppConfigDataClient({ region: 'us-east-1' }),
      logger: silentLogger,
    });
    await provider.start();
    expect(appconfig.commandCalls(StartConfigurationSessionCommand)[0]!.args[0].input).toEqual({
      ApplicationIdentifier: 'p13n',
      EnvironmentIdentifier: 'prod',
      ConfigurationProfileIdentifier: 'main',
      RequiredMinimumPollIntervalInSeconds: 15,
    });
    expect(provider.current().version).toBe('1');

    await vi.advanceTimersByTimeAsync(29_000);
    expect(appconfig.commandCalls(GetLatestConfigurationCommand)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(appconfig.commandCalls(GetLatestConfigurationCommand)).toHaveLength(2);
    expect(provider.current().version).toBe('1');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(provider.current().version).toBe('2');
    expect(
      appconfig.commandCalls(GetLatestConfigurationCommand).map((c) => c.args[0].input.ConfigurationToken),
    ).toEqual(['t0', 't1', 't2']);
    await provider.stop();
  });

  it('keeps the last good configuration when a new one is invalid, and restarts the session on a bad token', async () => {
    appconfig
      .on(StartConfigurationSessionCommand)
      .resolvesOnce({ InitialConfigurationToken: 'a0' })
      .resolvesOnce({ InitialConfigurationToken: 'b0' });
    appconfig
      .on(GetLatestConfigurationCommand)
      .resolvesOnce({ Configuration: enc(config('1')), NextPollConfigurationToken: 'a1' })
      .resolvesOnce({ Configuration: enc('{"namespaces":[]}'), NextPollConfigurationToken: 'a2' })
      .rejectsOnce(new BadRequestException({ message: 'token expired', $metadata: {} }))
      .resolvesOnce({ Configuration: enc(config('3')), NextPollConfigurationToken: 'b1' });
    const provider = createAppConfigDataProvider({
      ...target,
      client: new AppConfigDataClient({ region: 'us-east-1' }),
      logger: silentLogger,
    });
    await provider.start();
    await provider.refresh();
    expect(provider.current().version).toBe('1');
    await provider.refresh();
    expect(provider.current().version).toBe('3');
    expect(appconfig.commandCalls(StartConfigurationSessionCommand)).toHaveLength(2);
    await provider.stop();
  });

  it('fails to start with the validation messages when the first configuration is invalid', async () => {
    appconfig.on(StartConfigurationSessionCommand).resolves({ InitialConfigurationToken: 't' });
    appconfig.on(GetLatestConfigurationCommand).resolves({ Configuration: enc('{"namespaces":{"a b":{}}}') });
    const provider = createAppConfigDataProvider({
      ...target,
      client: new AppConfigDataClient({}),
      logger: silentLogger,
    });
    await expect(provider.start()).rejects.toThrow(/invalid configuration\n {2}\$\.namespaces/);
  });
});

describe('provider selection from the environment', () => {
  it('parses the extension prefetch list', () => {
    expect(
      targetFromPrefetchList(
        '/applications/a/environments/e/configurations/p,/applications/x/environments/y/configurations/z',
      ),
    ).toEqual({
      application: 'a',
      environment: 'e',
      profile: 'p',
    });
    expect(targetFromPrefetchList('nonsense')).toBeUndefined();
  });

  it('picks the agent, AppConfigData or a file', async () => {
    const pick = async (env: Record<string, string>) =>
      (await configProviderFromEnv(readDataPlaneEnv(env), { logger: silentLogger })).source;
    await expect(
      pick({ AWS_APPCONFIG_EXTENSION_PREFETCH_LIST: '/applications/a/environments/e/configurations/p' }),
    ).resolves.toBe('AppConfig agent http://localhost:2772/applications/a/environments/e/configurations/p');
    await expect(
      pick({
        P13N_APPCONFIG_APPLICATION: 'a',
        P13N_APPCONFIG_ENVIRONMENT: 'e',
        P13N_APPCONFIG_PROFILE: 'p',
        AWS_REGION: 'eu-west-1',
      }),
    ).resolves.toBe('AppConfig a/e/p');
    await expect(pick({ P13N_CONFIG: '/tmp/c.json' })).resolves.toBe('file /tmp/c.json');
    await expect(pick({})).rejects.toThrow(/no configuration source/);
    await expect(pick({ P13N_APPCONFIG_APPLICATION: 'a' })).rejects.toThrow(/set all of/);
    expect(() => readDataPlaneEnv({ P13N_DEFAULT_TIME_ZONE: 'Nowhere/City' })).toThrow(/P13N_DEFAULT_TIME_ZONE/);
  });
});
