/**
 * The polling lifecycle the AppConfig providers share: one fetch at a time (concurrent refreshes join the
 * one in flight), a first fetch on start, then a timer that never keeps the process alive; stop waits
 * for the fetch in flight.
 */
import type { Logger } from '../../shared/logger.ts';
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
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let inFlight: Promise<void> | undefined;

  const refresh = () => {
    inFlight ??= fetchOnce().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const loop = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      refresh()
        .catch((err: unknown) => logger.error('configuration refresh failed', { message: String(err) }))
        .finally(loop);
    }, nextDelayMs());
    timer.unref();
  };

  return {
    source: holder.source,
    async start() {
      await refresh();
      stopped = false;
      loop();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
    current: () => holder.current(),
    refresh,
  };
}
