/**
 * A provider over a configuration already in memory: for embedding the app and for tests. It
 * validates once, like the other providers, so an invalid object fails loudly at `start()`.
 */
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import { validateConfig } from '../../schema/validate-config.ts';
import { type ConfigListener, ConfigLoadError, type ConfigProvider } from './types.ts';

/**
 * @example
 * const config = staticConfigProvider({ version: '1', namespaces: { ... } });
 * await config.start();
 */
export function staticConfigProvider(config: unknown, options: { baseDir?: string } = {}): ConfigProvider {
  const source = 'in-memory configuration';
  const result = validateConfig(config, options);
  let started: ResolvedConfig | undefined;
  let listener: ConfigListener | undefined;
  return {
    source,
    async start() {
      if (!result.ok) throw new ConfigLoadError(source, 'invalid configuration', result.errors);
      await listener?.(result.resolved);
      started = result.resolved;
    },
    onChange(value) {
      listener = value;
    },
    async stop() {},
    current() {
      if (!started) throw new Error(`${source}: start() the provider first`);
      return started;
    },
  };
}
