/**
 * Picks the configuration provider from the environment, once, at the entry point:
 * - `AWS_APPCONFIG_EXTENSION_PREFETCH_LIST` set (the AppConfig Lambda extension is attached) → the agent on
 *   localhost; application/environment/profile from `P13N_APPCONFIG_*` or else the first prefetch entry;
 * - `P13N_APPCONFIG_APPLICATION`/`_ENVIRONMENT`/`_PROFILE` set → the AppConfigData API with polling;
 * - otherwise the file named by `P13N_CONFIG`.
 * The AppConfigData client is imported only in its case: on Lambda the extension is attached, and the
 * client is no part of the init phase.
 */
import type { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import type { AppConfigTarget } from '../../contracts/appconfig-target.ts';
import type { Logger } from '../../shared/logger.ts';
import type { DataPlaneEnv } from '../env.ts';
import { EnvError } from '../env.ts';
import { createAppConfigAgentProvider } from './appconfig-agent-provider.ts';
import { createFileConfigProvider } from './file-provider.ts';
import type { ConfigProvider } from './types.ts';

const PREFETCH_ENTRY = /^\/applications\/([^/]+)\/environments\/([^/]+)\/configurations\/([^/]+)$/;

/** Reads application/environment/profile from the first entry of the extension's prefetch list. */
export function targetFromPrefetchList(list: string): AppConfigTarget | undefined {
  const first = list.split(',')[0]?.trim() ?? '';
  const m = PREFETCH_ENTRY.exec(first);
  if (!m) return undefined;
  const [, application = '', environment = '', profile = ''] = m.map((s) => decodeURIComponent(s));
  return { application, environment, profile };
}

function explicitTarget(env: DataPlaneEnv): AppConfigTarget | undefined {
  const { P13N_APPCONFIG_APPLICATION: application, P13N_APPCONFIG_ENVIRONMENT: environment } = env;
  const profile = env.P13N_APPCONFIG_PROFILE;
  const given = [application, environment, profile].filter(Boolean).length;
  if (given === 0) return undefined;
  if (!application || !environment || !profile) {
    throw new EnvError('set all of P13N_APPCONFIG_APPLICATION, P13N_APPCONFIG_ENVIRONMENT and P13N_APPCONFIG_PROFILE');
  }
  return { application, environment, profile };
}

export interface ProviderFromEnvOptions {
  logger: Logger;
  /** Builds the AppConfigData client (tests pass a mocked one). */
  appConfigDataClient?: () => AppConfigDataClient;
}

/**
 * @example
 * const config = await configProviderFromEnv(readDataPlaneEnv(process.env), { logger });
 * await config.start();
 */
export async function configProviderFromEnv(
  env: DataPlaneEnv,
  options: ProviderFromEnvOptions,
): Promise<ConfigProvider> {
  const { logger } = options;
  const pollIntervalMs = env.P13N_CONFIG_POLL_INTERVAL_SECONDS * 1000;
  if (env.AWS_APPCONFIG_EXTENSION_PREFETCH_LIST) {
    const target = explicitTarget(env) ?? targetFromPrefetchList(env.AWS_APPCONFIG_EXTENSION_PREFETCH_LIST);
    if (!target) {
      throw new EnvError(
        'AWS_APPCONFIG_EXTENSION_PREFETCH_LIST does not name /applications/{app}/environments/{env}/configurations/{profile}; set P13N_APPCONFIG_* instead',
      );
    }
    return createAppConfigAgentProvider({
      ...target,
      logger,
      baseUrl: `http://localhost:${env.AWS_APPCONFIG_EXTENSION_HTTP_PORT}`,
      pollIntervalMs,
    });
  }
  const target = explicitTarget(env);
  if (target) {
    const [{ AppConfigDataClient }, { createAppConfigDataProvider }, { boundedClientConfig }] = await Promise.all([
      import('@aws-sdk/client-appconfigdata'),
      import('./appconfig-data-provider.ts'),
      import('../../shared/bounded-client-config.ts'),
    ]);
    const client =
      options.appConfigDataClient?.() ??
      new AppConfigDataClient({ ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}), ...boundedClientConfig() });
    return createAppConfigDataProvider({
      ...target,
      client,
      logger,
      minPollIntervalSeconds: Math.max(15, env.P13N_CONFIG_POLL_INTERVAL_SECONDS),
    });
  }
  const file = env.P13N_CONFIG;
  if (!file) {
    throw new EnvError(
      'no configuration source: set P13N_CONFIG to a file, or P13N_APPCONFIG_APPLICATION/_ENVIRONMENT/_PROFILE',
    );
  }
  return createFileConfigProvider({ file, logger });
}
