/**
 * Holds the last good configuration for every provider and applies the rules they share: the first
 * configuration must be valid (or start-up fails with the messages), a later invalid one is logged and
 * the last good one keeps serving; a valid one becomes current only once the listener (the lifecycle,
 * which prepares it) accepts it. Text already applied is not revalidated; refused text is offered again
 * at the next fetch, so a configuration whose stores were not ready yet gets another chance.
 */
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import { validateConfigText } from '../../schema/validate-config.ts';
import type { Logger } from '../../shared/logger.ts';
import { type ConfigListener, ConfigLoadError } from './types.ts';

export class ConfigHolder {
  #current: ResolvedConfig | undefined;
  #lastText: string | undefined;
  #listener: ConfigListener | undefined;

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

  onChange(listener: ConfigListener): void {
    this.#listener = listener;
  }

  /**
   * Validates configuration text and, once the listener accepts it, applies it. Resolves true when a
   * new configuration was applied. Rejects (ConfigLoadError, or the listener's error) only when nothing
   * has been loaded yet.
   */
  async apply(text: string, baseDir?: string): Promise<boolean> {
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
    if (this.#listener) {
      let accepted: boolean;
      try {
        accepted = await this.#listener(result.resolved);
      } catch (err) {
        if (!this.#current) throw err;
        this.logger.error('new configuration could not be prepared; the last good one keeps serving', {
          source: this.source,
          version: result.resolved.version,
          message: (err as Error).message,
        });
        accepted = false;
      }
      if (!accepted) return false;
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
