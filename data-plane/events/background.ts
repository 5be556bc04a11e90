/**
 * Work that must not delay a response (exposure records, Evidently exposures) but must not vanish
 * either: every task's failure is logged with its label, and `idle()` lets a test, a Lambda handler
 * or a shutting-down server wait until everything started so far has settled.
 */
import type { Logger } from '../../shared/logger.ts';
import { describeError } from '../../shared/logger.ts';

export interface BackgroundTasks {
  /** Starts `task` now without waiting for it; a rejection is logged under `label`, never thrown. */
  run(label: string, task: () => Promise<unknown>): void;
  /** Resolves once every task started before (or while) waiting has settled. */
  idle(): Promise<void>;
}

/**
 * @example
 * const background = createBackgroundTasks(logger);
 * background.run('evidently exposure', () => client.send(new PutProjectEventsCommand(input)));
 * await background.idle(); // in tests
 */
export function createBackgroundTasks(logger: Logger): BackgroundTasks {
  const pending = new Set<Promise<unknown>>();
  return {
    run(label, task) {
      const settled = Promise.resolve()
        .then(task)
        .catch((err: unknown) => logger.error(`${label} failed`, { error: describeError(err) }))
        .finally(() => pending.delete(settled));
      pending.add(settled);
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
