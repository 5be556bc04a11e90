/** Builds resolved configurations for tests from a few namespaces. */
import type { Config, NamespaceConfig } from '../../../schema/config-schema.ts';
import type { ResolvedConfig } from '../../../schema/resolve-config.ts';
import { validateConfig } from '../../../schema/validate-config.ts';

export function resolved(config: Config | Record<string, unknown>): ResolvedConfig {
  const result = validateConfig(config);
  if (!result.ok) throw new Error(`test configuration is invalid: ${JSON.stringify(result.errors)}`);
  return result.resolved;
}

/** A namespace with one recommend-items recommender served by an HTTP variation. */
export function namespace(extra: Partial<NamespaceConfig> = {}): NamespaceConfig {
  return {
    recommenders: {
      'recommend-items': { rfy: { variations: { v1: { type: 'http', url: 'http://127.0.0.1:9/recs' } } } },
    },
    ...extra,
  };
}
