/**
 * Work that must not delay a response (exposure records, Evidently exposures) but must not vanish
 * either. Every task is tracked, gets an AbortSignal and a time limit, and has its failure logged under
 * its label. Tasks started within one short window (a hundredth of the limit, at most 100 ms) share one
 * AbortController and one timer, so a task's limit is between that much less than `taskTimeoutMs` and
 * `taskTimeoutMs`: an exposure per request no longer costs a controller and a timer of its own. The number of tasks in flight is bounded: at the bound a new task is not
 * started — it is dropped with an error log and a `BackgroundTaskDropped` metric, because queueing
 * without end would only move the loss to an out-of-memory crash, and waiting for room would put a slow
 * event target on every response's path. `drain` is how an entry point finishes the work before it can
 * no longer run: the Lambda adapter before returning (Lambda freezes the process then), `p13n serve` on
 * SIGTERM/SIGINT. Whatever is still running when the drain's bound is reached is aborted and reported
 * (`background work abandoned`, metric `BackgroundTaskAbandoned`).
 */
import { setMaxListeners } from 'node:events';
import { describeError, type Logger } from '../../shared/logger.ts';
import type { Metrics } from '../metrics.ts';

export const DEFAULT_MAX_BACKGROUND_TASKS = 1000;

export interface BackgroundTasks {
  /** Starts `task` now without waiting for it; a rejection is logged under `label`, never thrown. */
  run(label: string, task: (signal: AbortSignal) => Promise<unknown>): void;
  /** Tasks in flight. */
  pending(): number;
  /** Resolves once every task started before (or while) waiting has settled. */
  idle(): Promise<void>;
  /**
   * Waits up to `timeoutMs` for the tasks in flight, then aborts the rest and gives them a moment to
   * let go of their sockets. Resolves with how many were abandoned.
   */
  drain(timeoutMs: number): Promise<number>;
}

export interface BackgroundTasksOptions {
  logger: Logger;
  metrics?: Metrics;
  /** Tasks in flight at most (default 1000). */
  maxPending?: number;
  /** Each task's time limit, after which its signal aborts (default 10 s). */
  taskTimeoutMs?: number;
  /** Milliseconds of a monotonic clock (default performance.now); tests pass a fake. */
  now?: () => number;
}

/** How long aborted tasks get to settle (close their sockets) before a drain returns. */
const ABORT_GRACE_MS = 100;

/** Tasks started in one window: their shared signal, and the timer that aborts it. */
interface Window {
  controller: AbortController;
  timer: NodeJS.Timeout;
  startedAt: number;
  /** Its tasks still running. */
  open: number;
}

interface Task {
  label: string;
  window: Window;
  settled: Promise<void>;
}

/**
 * @example
 * const background = createBackgroundTasks({ logger, metrics });
 * background.run('evidently exposure', (signal) => client.send(new PutProjectEventsCommand(input), { abortSignal: signal }));
 * await background.drain(context.getRemainingTimeInMillis() - 500);
 */
export function createBackgroundTasks(options: BackgroundTasksOptions): BackgroundTasks {
  const { logger } = options;
  const maxPending = options.maxPending ?? DEFAULT_MAX_BACKGROUND_TASKS;
  const taskTimeoutMs = options.taskTimeoutMs ?? 10_000;
  const windowMs = Math.min(100, taskTimeoutMs / 100);
  const now = options.now ?? performance.now.bind(performance);
  const tasks = new Set<Task>();
  let current: Window | undefined;

  const windowForNewTask = (): Window => {
    const at = now();
    if (current && at - current.startedAt < windowMs && !current.controller.signal.aborted) return current;
    const controller = new AbortController();
    // Every task of the window (and each of its targets) listens to this one signal.
    setMaxListeners(0, controller.signal);
    const timer = setTimeout(
      () => controller.abort(new DOMException(`background task took longer than ${taskTimeoutMs} ms`, 'TimeoutError')),
      taskTimeoutMs,
    );
    timer.unref();
    current = { controller, timer, startedAt: at, open: 0 };
    return current;
  };

  const waitAll = async () => {
    while (tasks.size > 0) await Promise.allSettled([...tasks].map((t) => t.settled));
  };

  return {
    run(label, work) {
      if (tasks.size >= maxPending) {
        logger.error(`${label} dropped: too much background work in flight`, { pending: tasks.size, maxPending });
        options.metrics?.add('BackgroundTaskDropped', 'Count', 1);
        return;
      }
      const window = windowForNewTask();
      window.open++;
      const task: Task = { label, window, settled: Promise.resolve() };
      task.settled = Promise.resolve()
        .then(() => work(window.controller.signal))
        .then(
          () => undefined,
          (err: unknown) => logger.error(`${label} failed`, { error: describeError(err) }),
        )
        .finally(() => {
          tasks.delete(task);
          if (--window.open === 0) {
            clearTimeout(window.timer);
            if (current === window) current = undefined;
          }
        });
      tasks.add(task);
    },
    pending: () => tasks.size,
    idle: waitAll,
    async drain(timeoutMs) {
      if (tasks.size === 0) return 0;
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, timeoutMs));
      });
      await Promise.race([waitAll(), bound]);
      clearTimeout(timer);
      const left = [...tasks];
      if (left.length === 0) return 0;
      const abandoned = new DOMException('background work abandoned', 'AbortError');
      for (const task of left) task.window.controller.abort(abandoned);
      await Promise.race([
        Promise.allSettled(left.map((t) => t.settled)),
        new Promise((resolve) => setTimeout(resolve, ABORT_GRACE_MS)),
      ]);
      logger.error('background work abandoned at the drain bound', {
        abandoned: left.length,
        labels: [...new Set(left.map((t) => t.label))],
        boundMs: timeoutMs,
      });
      options.metrics?.add('BackgroundTaskAbandoned', 'Count', left.length);
      return left.length;
    },
  };
}
