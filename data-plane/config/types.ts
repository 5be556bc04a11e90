/**
 * The configuration provider contract. The app reads `current()` synchronously on every request, so a
 * provider keeps the last good configuration in memory and swaps it atomically when a valid new one
 * arrives and its listener (the data plane's lifecycle, which prepares it first) accepts it; an invalid
 * or refused one is logged and the last good one keeps serving.
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
  /**
   * Sets the one listener told about every new valid configuration, the first included, before it
   * becomes current; it becomes current only when the listener resolves true. Set it before `start()`.
   */
  onChange(listener: ConfigListener): void;
  /** Polling providers: fetches now if the poll interval has passed since the last fetch (Lambda thaws). */
  refreshIfDue?(): Promise<void>;
}

/**
 * Prepares a new configuration and says whether it may serve. For the first configuration a rejection
 * fails `start()`; later ones are refused by resolving false.
 */
export type ConfigListener = (config: ResolvedConfig) => Promise<boolean>;

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
