/**
 * One AppConfigData configuration session, as the data plane (polling, for hosts without the
 * AppConfig agent) and the control plane (one read) both use it: StartConfigurationSession, then
 * GetLatestConfiguration with the token each answer hands on. An empty body means "unchanged since
 * your last token"; an expired or rejected token starts a new session once.
 */
import {
  type AppConfigDataClient,
  BadRequestException,
  GetLatestConfigurationCommand,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import type { AppConfigTarget } from './appconfig-target.ts';

export interface AppConfigSession {
  /** The configuration text when AppConfig sent a new one, else undefined (unchanged, or none deployed). */
  latest(): Promise<string | undefined>;
  /** How long AppConfig asks to wait before the next `latest()` (seconds). */
  nextPollIntervalSeconds(): number;
}

/**
 * @example
 * const session = appConfigSession(client, { application: 'p13n', environment: 'prod', profile: 'config' });
 * const text = await session.latest(); // the deployed configuration, once
 */
export function appConfigSession(
  client: AppConfigDataClient,
  target: AppConfigTarget,
  options: { minPollIntervalSeconds?: number } = {},
): AppConfigSession {
  const { minPollIntervalSeconds } = options;
  const decoder = new TextDecoder();
  let token: string | undefined;
  let nextIntervalSeconds = minPollIntervalSeconds ?? 15;

  const startSession = async () => {
    const session = await client.send(
      new StartConfigurationSessionCommand({
        ApplicationIdentifier: target.application,
        EnvironmentIdentifier: target.environment,
        ConfigurationProfileIdentifier: target.profile,
        ...(minPollIntervalSeconds === undefined
          ? {}
          : { RequiredMinimumPollIntervalInSeconds: minPollIntervalSeconds }),
      }),
    );
    if (!session.InitialConfigurationToken) throw new Error('StartConfigurationSession returned no token');
    return session.InitialConfigurationToken;
  };

  const latest = async (retried = false): Promise<string | undefined> => {
    token ??= await startSession();
    try {
      const out = await client.send(new GetLatestConfigurationCommand({ ConfigurationToken: token }));
      token = out.NextPollConfigurationToken;
      nextIntervalSeconds = Math.max(1, out.NextPollIntervalInSeconds ?? nextIntervalSeconds);
      return out.Configuration && out.Configuration.length > 0 ? decoder.decode(out.Configuration) : undefined;
    } catch (err) {
      token = undefined;
      if (err instanceof BadRequestException && !retried) return latest(true);
      throw err;
    }
  };

  return { latest: () => latest(), nextPollIntervalSeconds: () => nextIntervalSeconds };
}
