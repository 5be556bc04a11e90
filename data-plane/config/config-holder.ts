/**
 * Holds the last good configuration for every provider and applies the one rule they share: the
 * first configuration must be valid (or start-up fails with the messages), a later invalid one is
 * logged and the last good one keeps serving. Identical text is not revalidated.
 */
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import { validateConfigText } from '../../schema/validate-config.ts';
import type { Logger } from '../../shared/logger.ts';
import { ConfigLoadError } from './types.ts';

export class ConfigHolder {
  #current: ResolvedConfig | undefined;
  #lastText: string | undefined;

  constructor(
    readonly source: string,
    private readonly logger: Logger,
  ) {}

  get loaded(): boolean {
    return this.#current !== undefined;
  }

  current(): ResolvedConfig {
    if (!this.#current) throw new Error(`${this.source}: no configuration loaded yet; start() the provider first`);
    return this.#current;
  }

  /**
   * Validates and applies configuration text. Returns true when a new configuration was applied.
   * Throws ConfigLoadError only when nothing has been loaded yet.
   */
  apply(text: string, baseDir?: string): boolean {
    if (text === this.#lastText) return false;
    const result = validateConfigText(text, { baseDir });
    for (const w of result.warnings) this.logger.warn('configuration warning', { source: this.source, ...w });
    if (!result.ok) {
      if (!this.#current) throw new ConfigLoadError(this.source, 'invalid configuration', result.errors);
      this.logger.error('new configuration rejected; the last good one keeps serving', {
        source: this.source,
        servingVersion: this.#current.version,
        errors: result.errors,
      });
      return false;
    }
    const previous = this.#current?.version;
    this.#current = result.resolved;
    this.#lastText = text;
    this.logger.info(previous === undefined ? 'configuration loaded' : 'configuration reloaded', {
      source: this.source,
      version: result.resolved.version,
      ...(previous === undefined ? {} : { previousVersion: previous }),
    });
    return true;
  }

  /** Reports a failure to fetch or read the configuration: fatal before the first load, logged after. */
  failed(reason: string, cause: unknown): void {
    if (!this.#current) throw new ConfigLoadError(this.source, reason, [], { cause });
    this.logger.warn('could not refresh the configuration; the last good one keeps serving', {
      source: this.source,
      reason,
    });
  }
}
