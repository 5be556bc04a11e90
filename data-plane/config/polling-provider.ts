/**
 * The polling lifecycle the AppConfig providers share: a first fetch on start, then shared/poller.ts's
 * timer (one fetch at a time, never keeping the process alive; stop waits for the fetch in flight).
 */
import type { Logger } from '../../shared/logger.ts';
import { createPoller } from '../../shared/poller.ts';
import type { ConfigHolder } from './config-holder.ts';
import type { ConfigProvider } from './types.ts';

export interface RefreshableConfigProvider extends ConfigProvider {
  /** Fetches now; resolves when the result has been applied (or rejected and logged). */
  refresh(): Promise<void>;
}

export interface PollingOptions {
  holder: ConfigHolder;
  logger: Logger;
  /** Fetches and applies (or logs) one configuration; must not reject for expected failures. */
  fetchOnce: () => Promise<void>;
  /** Delay before the next fetch, read after each one (AppConfig may change it). */
  nextDelayMs: () => number;
}

export function pollingProvider({ holder, logger, fetchOnce, nextDelayMs }: PollingOptions): RefreshableConfigProvider {
  let lastFetch = Number.NEGATIVE_INFINITY;
  let fetching = false;
  const poller = createPoller({
    task: async () => {
      lastFetch = performance.now();
      fetching = true;
      try {
        await fetchOnce();
      } finally {
        fetching = false;
      }
    },
    delayMs: nextDelayMs,
    onError: (err) => logger.error('configuration refresh failed', { message: String(err) }),
  });
  return {
    source: holder.source,
    async start() {
      await poller.run();
      poller.start();
    },
    stop: () => poller.stop(),
    current: () => holder.current(),
    refresh: poller.run,
    onChange: (listener) => holder.onChange(listener),
    // Timers do not run while Lambda freezes the process: an invocation catches up with a poll that is
    // due, or waits for the one the overdue timer has just started.
    async refreshIfDue() {
      if (fetching || performance.now() - lastFetch >= nextDelayMs()) await poller.run();
    },
  };
}
