/**
 * The data plane's one lifecycle, owned by the composition root (wiring.ts) and driven the same way by
 * the Lambda entry and `p13n serve`. The configuration provider reports every new valid configuration
 * here before it becomes current; each part of the data plane (item-metadata stores, embedded models,
 * circuit breakers) prepares what the configuration needs — the first download of an S3-synced store
 * bounded by `prepareWaitMs` — and only then does the provider serve it. A configuration a part cannot
 * prepare is refused with a log line and a `ConfigurationRefused` metric, and the last good one keeps
 * serving (the provider offers it again at its next poll). Once a configuration is current, what it no
 * longer uses is released after `releaseGraceMs` — the request budget, so no request that started under
 * the previous configuration can still be using it. The first configuration has nothing to fall back to:
 * a store that is not ready in time then serves marked, uncacheable, undecorated answers until it is.
 */
import type { ResolvedConfig } from '../schema/resolve-config.ts';
import { describeError, type Logger } from '../shared/logger.ts';
import type { ConfigProvider } from './config/types.ts';
import type { BackgroundTasks } from './events/background.ts';
import type { Metrics } from './metrics.ts';

export interface PrepareOptions {
  /** True for the first configuration, which has no last good one to fall back to. */
  first: boolean;
  /** How long a part may wait for remote state (the first S3 download of a store). */
  waitMs: number;
}

/** A part of the data plane whose resources follow the configuration. */
export interface ConfigPart {
  /** Gets everything `config` needs ready; throws when it cannot (the configuration is then refused). */
  prepare(config: ResolvedConfig, options: PrepareOptions): Promise<void>;
  /** Releases what `config` does not use (stores, LMDB handles, timers, circuit breakers). */
  retain(config: ResolvedConfig): Promise<void>;
  close(): Promise<void>;
}

export interface LifecycleOptions {
  provider: ConfigProvider;
  parts: ConfigPart[];
  background: BackgroundTasks;
  logger: Logger;
  metrics: Metrics;
  prepareWaitMs: number;
  /** Delay before what a replaced configuration used is released (0: at once, as on Lambda). */
  releaseGraceMs: number;
}

export interface Lifecycle {
  /** Starts the provider and prepares the first configuration; rejects when there is none to serve. */
  start(): Promise<void>;
  /** Lambda, before each invocation: asks the provider for news if its poll interval has passed (timers do not run while frozen). */
  beforeInvocation(): Promise<void>;
  /** Finishes background work within `timeoutMs`; resolves with how many tasks were abandoned. */
  drain(timeoutMs: number): Promise<number>;
  /** Stops the provider and releases everything. */
  close(): Promise<void>;
}

/**
 * @example
 * const lifecycle = createLifecycle({ provider, parts: [stores, models, breakers], background, logger, metrics,
 *   prepareWaitMs: 5000, releaseGraceMs: 0 });
 * await lifecycle.start();
 */
export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const { provider, parts, logger, metrics } = options;
  let active: ResolvedConfig | undefined;
  let releaseTimer: NodeJS.Timeout | undefined;

  const release = async () => {
    releaseTimer = undefined;
    const keep = active;
    if (!keep) return;
    for (const part of parts) {
      await part
        .retain(keep)
        .catch((err: unknown) => logger.error('releasing resources failed', { error: describeError(err) }));
    }
  };

  const adopt = async (config: ResolvedConfig): Promise<boolean> => {
    const first = active === undefined;
    const started = performance.now();
    try {
      await Promise.all(parts.map((part) => part.prepare(config, { first, waitMs: options.prepareWaitMs })));
    } catch (err) {
      if (first) throw err;
      logger.error('configuration refused: it could not be prepared; the last good one keeps serving', {
        version: config.version,
        servingVersion: active?.version,
        error: describeError(err),
      });
      metrics.add('ConfigurationRefused', 'Count', 1);
      return false;
    }
    const previous = active;
    active = config;
    const preparedMs = Math.round(performance.now() - started);
    logger.info('configuration prepared', { version: config.version, preparedMs });
    metrics.add('ConfigurationPrepareTime', 'Milliseconds', preparedMs);
    if (previous) {
      clearTimeout(releaseTimer);
      if (options.releaseGraceMs <= 0) await release();
      else {
        releaseTimer = setTimeout(() => void release(), options.releaseGraceMs);
        releaseTimer.unref();
      }
    }
    return true;
  };

  return {
    async start() {
      provider.onChange(adopt);
      await provider.start();
    },
    beforeInvocation: async () => {
      await provider.refreshIfDue?.();
    },
    drain: (timeoutMs) => options.background.drain(timeoutMs),
    async close() {
      clearTimeout(releaseTimer);
      await provider.stop();
      await Promise.all(parts.map((part) => part.close()));
    },
  };
}
