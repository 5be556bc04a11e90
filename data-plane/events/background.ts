/**
 * Work that must not delay a response (exposure records, Evidently exposures) but must not vanish
 * either. Every task is tracked, gets an AbortSignal and a time limit of its own, and has its failure
 * logged under its label. The number of tasks in flight is bounded: at the bound a new task is not
 * started — it is dropped with an error log and a `BackgroundTaskDropped` metric, because queueing
 * without end would only move the loss to an out-of-memory crash, and waiting for room would put a slow
 * event target on every response's path. `drain` is how an entry point finishes the work before it can
 * no longer run: the Lambda adapter before returning (Lambda freezes the process then), `p13n serve` on
 * SIGTERM/SIGINT. Whatever is still running when the drain's bound is reached is aborted and reported
 * (`background work abandoned`, metric `BackgroundTaskAbandoned`).
 */
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
  /** Each task's own time limit, after which its signal aborts (default 10 s). */
  taskTimeoutMs?: number;
}

/** How long aborted tasks get to settle (close their sockets) before a drain returns. */
const ABORT_GRACE_MS = 100;

interface Task {
  label: string;
  controller: AbortController;
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
  const tasks = new Set<Task>();

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
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new DOMException(`${label} took longer than ${taskTimeoutMs} ms`, 'TimeoutError')),
        taskTimeoutMs,
      );
      timer.unref();
      const task: Task = { label, controller, settled: Promise.resolve() };
      task.settled = Promise.resolve()
        .then(() => work(controller.signal))
        .then(
          () => undefined,
          (err: unknown) => logger.error(`${label} failed`, { error: describeError(err) }),
        )
        .finally(() => {
          clearTimeout(timer);
          tasks.delete(task);
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
      for (const task of left) task.controller.abort(new DOMException('background work abandoned', 'AbortError'));
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
