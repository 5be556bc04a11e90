/**
 * Configuration from the AppConfigData API, for hosts without the AppConfig agent: one configuration
 * session, then GetLatestConfiguration polling at the interval AppConfig asks for
 * (`NextPollIntervalInSeconds`). An empty body means "unchanged since your last token". An expired or
 * rejected token starts a new session.
 */
import {
  type AppConfigDataClient,
  BadRequestException,
  GetLatestConfigurationCommand,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import type { AppConfigTarget } from '../../contracts/appconfig-target.ts';
import type { Logger } from '../../shared/logger.ts';
import { ConfigHolder } from './config-holder.ts';
import { pollingProvider, type RefreshableConfigProvider } from './polling-provider.ts';

export interface AppConfigDataProviderOptions extends AppConfigTarget {
  client: AppConfigDataClient;
  logger: Logger;
  /** Shortest poll interval to ask AppConfig for (default 15 s, AppConfig's minimum). */
  minPollIntervalSeconds?: number;
}

/**
 * @example
 * const config = createAppConfigDataProvider({ client: new AppConfigDataClient({}), application: 'p13n',
 *   environment: 'prod', profile: 'config', logger });
 * await config.start();
 */
export function createAppConfigDataProvider(options: AppConfigDataProviderOptions): RefreshableConfigProvider {
  const { client, application, environment, profile } = options;
  const minInterval = options.minPollIntervalSeconds ?? 15;
  const holder = new ConfigHolder(`AppConfig ${application}/${environment}/${profile}`, options.logger);
  const decoder = new TextDecoder();
  let token: string | undefined;
  let nextIntervalSeconds = minInterval;

  const startSession = async () => {
    const session = await client.send(
      new StartConfigurationSessionCommand({
        ApplicationIdentifier: application,
        EnvironmentIdentifier: environment,
        ConfigurationProfileIdentifier: profile,
        RequiredMinimumPollIntervalInSeconds: minInterval,
      }),
    );
    if (!session.InitialConfigurationToken) throw new Error('StartConfigurationSession returned no token');
    return session.InitialConfigurationToken;
  };

  /** One GetLatestConfiguration; the text when AppConfig sent a new configuration, else undefined. */
  const poll = async (retried = false): Promise<string | undefined> => {
    token ??= await startSession();
    try {
      const out = await client.send(new GetLatestConfigurationCommand({ ConfigurationToken: token }));
      token = out.NextPollConfigurationToken;
      nextIntervalSeconds = Math.max(1, out.NextPollIntervalInSeconds ?? nextIntervalSeconds);
      return out.Configuration && out.Configuration.length > 0 ? decoder.decode(out.Configuration) : undefined;
    } catch (err) {
      token = undefined;
      if (err instanceof BadRequestException && !retried) return poll(true);
      throw err;
    }
  };

  const fetchOnce = () =>
    poll().then(
      async (text) => {
        if (text !== undefined) await holder.apply(text);
      },
      (err: unknown) => holder.failed(`cannot get the configuration: ${(err as Error).message}`, err),
    );

  return pollingProvider({ holder, logger: options.logger, fetchOnce, nextDelayMs: () => nextIntervalSeconds * 1000 });
}
