/**
 * The configuration provider contract. The app reads `current()` synchronously on every request, so a
 * provider keeps the last good configuration in memory and swaps it atomically when a valid new one
 * arrives; an invalid new one is logged and ignored.
 */
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import type { ValidationIssue } from '../../schema/validate-config.ts';

export interface ConfigProvider {
  /** Where the configuration comes from, for logs (`file /srv/config.json`, `AppConfig agent …`). */
  readonly source: string;
  /** Loads the first configuration and starts watching; rejects with ConfigLoadError when it is unusable. */
  start(): Promise<void>;
  /** Stops watching or polling; `current()` keeps returning the last good configuration. */
  stop(): Promise<void>;
  /** The last good configuration; throws when `start()` has not completed. */
  current(): ResolvedConfig;
}

/** The first configuration could not be loaded: unreadable, not JSON or invalid (issues listed). */
export class ConfigLoadError extends Error {
  override name = 'ConfigLoadError';
  constructor(
    readonly source: string,
    reason: string,
    readonly issues: readonly ValidationIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(
      issues.length > 0
        ? `${source}: ${reason}\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`
        : `${source}: ${reason}`,
      options,
    );
  }
}
