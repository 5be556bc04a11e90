/**
 * The one periodic poller: a task run at most once at a time (a run requested while one is in flight
 * joins it), repeated after a delay read anew after each run, on a timer that never keeps the process
 * alive; `stop` waits for the run in flight. Used by the AppConfig providers and the localdb syncs.
 */

export interface Poller<T = void> {
  /** Runs the task now, or joins the run in flight; rejects with the task's error. */
  run(): Promise<T>;
  /** Runs the task now without waiting for it (errors go to `onError`). */
  runInBackground(): void;
  /** Schedules runs every `delayMs()` from now on (errors go to `onError`). */
  start(): void;
  stop(): Promise<void>;
}

export interface PollerOptions<T> {
  task: () => Promise<T>;
  /** Delay before the next scheduled run, read after each one (AppConfig may change it). */
  delayMs: () => number;
  /** Told about each scheduled run that failed; the poller keeps going. */
  onError: (err: unknown) => void;
}

/**
 * @example
 * const poller = createPoller({ task: sync, delayMs: () => 300_000, onError: (err) => logger.error('sync failed', { err }) });
 * await poller.run(); poller.start(); … await poller.stop();
 */
export function createPoller<T>({ task, delayMs, onError }: PollerOptions<T>): Poller<T> {
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let inFlight: Promise<T> | undefined;

  const run = () => {
    inFlight ??= task().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      run().catch(onError).finally(schedule);
    }, delayMs());
    timer.unref();
  };

  return {
    run,
    runInBackground: () => {
      run().catch(onError);
    },
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight?.catch(() => undefined);
    },
  };
}
