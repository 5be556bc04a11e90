/**
 * Configuration from the AWS AppConfig agent (the AppConfig Lambda extension), which serves the
 * deployed configuration on localhost and does the AppConfig polling itself. We ask it again every
 * `pollIntervalMs`; asking is a local HTTP call, and unchanged text is not revalidated.
 */
import type { AppConfigTarget } from '../../contracts/appconfig-target.ts';
import type { Logger } from '../../shared/logger.ts';
import { ConfigHolder } from './config-holder.ts';
import { pollingProvider, type RefreshableConfigProvider } from './polling-provider.ts';

export interface AppConfigAgentProviderOptions extends AppConfigTarget {
  logger: Logger;
  /** Agent base URL (default `http://localhost:2772`). */
  baseUrl?: string;
  /** How often to ask the agent (default 15 s). */
  pollIntervalMs?: number;
  /** Per-request timeout (default 3 s). */
  timeoutMs?: number;
}

/** The agent's path for a configuration, as listed in `AWS_APPCONFIG_EXTENSION_PREFETCH_LIST`. */
export function agentPath({ application, environment, profile }: AppConfigTarget): string {
  const e = encodeURIComponent;
  return `/applications/${e(application)}/environments/${e(environment)}/configurations/${e(profile)}`;
}

/**
 * @example
 * const config = createAppConfigAgentProvider({ application: 'p13n', environment: 'prod', profile: 'config', logger });
 * await config.start();
 */
export function createAppConfigAgentProvider(options: AppConfigAgentProviderOptions): RefreshableConfigProvider {
  const url = `${options.baseUrl ?? 'http://localhost:2772'}${agentPath(options)}`;
  const holder = new ConfigHolder(`AppConfig agent ${url}`, options.logger);
  const interval = options.pollIntervalMs ?? 15_000;

  const fetchOnce = async () => {
    let text: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 3000) });
      text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
    } catch (err) {
      holder.failed(`cannot fetch from the AppConfig agent: ${(err as Error).message}`, err);
      return;
    }
    await holder.apply(text);
  };

  return pollingProvider({ holder, logger: options.logger, fetchOnce, nextDelayMs: () => interval });
}
