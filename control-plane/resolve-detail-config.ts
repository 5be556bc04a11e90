/**
 * The sync tasks receive the configuration inside the change event. The validator already checked it,
 * but each task validates again so that it works on the resolved form and never on a hand-edited event
 * that skipped validation.
 */
import type { ResolvedConfig } from '../schema/resolve-config.ts';
import { validateConfig } from '../schema/validate-config.ts';
import type { ConfigChangeDetail } from '../state-machines/sync-resources-payload.ts';
import { validationFailed } from './validation-message.ts';

export function resolveDetailConfig(detail: ConfigChangeDetail): ResolvedConfig {
  const result = validateConfig(detail.config);
  if (!result.ok) throw validationFailed(result.errors);
  return result.resolved;
}
