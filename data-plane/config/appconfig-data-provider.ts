/**
 * Configuration from the AppConfigData API, for hosts without the AppConfig agent: one configuration
 * session (contracts/appconfig-session.ts, shared with the control plane), polled at the interval
 * AppConfig asks for (`NextPollIntervalInSeconds`).
 */
import type { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { appConfigSession } from '../../contracts/appconfig-session.ts';
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
 * const config = createAppConfigDataProvider({ client: new AppConfigDataClient(boundedClientConfig()), application: 'p13n',
 *   environment: 'prod', profile: 'config', logger });
 * await config.start();
 */
export function createAppConfigDataProvider(options: AppConfigDataProviderOptions): RefreshableConfigProvider {
  const { client, application, environment, profile } = options;
  const minInterval = options.minPollIntervalSeconds ?? 15;
  const holder = new ConfigHolder(`AppConfig ${application}/${environment}/${profile}`, options.logger);
  const session = appConfigSession(
    client,
    { application, environment, profile },
    { minPollIntervalSeconds: minInterval },
  );

  const fetchOnce = () =>
    session.latest().then(
      async (text) => {
        if (text !== undefined) await holder.apply(text);
      },
      (err: unknown) => holder.failed(`cannot get the configuration: ${(err as Error).message}`, err),
    );

  return pollingProvider({
    holder,
    logger: options.logger,
    fetchOnce,
    nextDelayMs: () => session.nextPollIntervalSeconds() * 1000,
  });
}
