/**
 * Reads the deployed configuration once from the AppConfigData API (a session, one
 * GetLatestConfiguration: contracts/appconfig-session.ts) and validates it. The control plane runs
 * rarely, so it keeps no session.
 */
import type { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { appConfigSession } from '../../contracts/appconfig-session.ts';
import type { AppConfigTarget } from '../../contracts/appconfig-target.ts';
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import { validateConfigText } from '../../schema/validate-config.ts';
import { ControlPlaneError } from '../errors.ts';
import { validationFailed } from '../validation-message.ts';

/**
 * @example
 * const resolved = await fetchAppConfig(new AppConfigDataClient(boundedClientConfig()), { application: 'p13n', environment: 'prod', profile: 'config' });
 */
export async function fetchAppConfig(client: AppConfigDataClient, where: AppConfigTarget): Promise<ResolvedConfig> {
  const text = (await appConfigSession(client, where).latest()) ?? '';
  if (!text.trim()) {
    throw new ControlPlaneError(
      `AppConfig ${where.application}/${where.environment}/${where.profile} has no deployed configuration`,
    );
  }
  const result = validateConfigText(text);
  if (!result.ok) throw validationFailed(result.errors, 'deployed configuration');
  return result.resolved;
}
