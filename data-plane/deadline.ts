/**
 * One deadline per request. The app starts a request's clock when the request arrives; every step that
 * waits on something outside the process (experiment assignment, origin, decoration, post-processor,
 * event targets) gets the deadline's AbortSignal — or a shorter one of its own, never a longer one —
 * and gives up when it fires. Aborting an AWS SDK call destroys its socket, so a request that ran out of
 * time leaves no connection behind. Running out answers `504 DeadlineExceeded` unless a fallback or a
 * stale cached response can answer instead.
 */
import { DeadlineExceededError } from './errors.ts';

/** Total time a request may take, well under API Gateway's 29 s integration limit. */
export const DEFAULT_REQUEST_BUDGET_MS = 6000;

export interface Deadline {
  readonly budgetMs: number;
  /** Aborted when the budget runs out. */
  readonly signal: AbortSignal;
  /** Milliseconds left (0 when expired). */
  remaining(): number;
  /** Stops the clock's timer (the request is answered). */
  dispose(): void;
}

/**
 * @example
 * const deadline = startDeadline(6000);
 * try { await beforeDeadline(deadline, 'decoration', (signal) => store.getMany(ids, signal)); } finally { deadline.dispose(); }
 */
export function startDeadline(budgetMs: number, now: () => number = performance.now.bind(performance)): Deadline {
  const endsAt = now() + budgetMs;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('request budget exhausted', 'TimeoutError')),
    budgetMs,
  );
  timer.unref();
  return {
    budgetMs,
    signal: controller.signal,
    remaining: () => Math.max(0, endsAt - now()),
    dispose: () => clearTimeout(timer),
  };
}

/** A deadline that never fires, for callers outside a request (tests, tools). */
export const NO_DEADLINE: Deadline = {
  budgetMs: Number.POSITIVE_INFINITY,
  signal: new AbortController().signal,
  remaining: () => Number.POSITIVE_INFINITY,
  dispose() {},
};

/**
 * Runs `task` with `signal` and settles when it does or when the signal aborts, whichever is first: a
 * task that ignores its signal still loses the race. Rejects with the signal's reason on abort.
 *
 * @example
 * await withSignal(AbortSignal.timeout(1000), (signal) => client.send(command, { abortSignal: signal }));
 */
export async function withSignal<T>(signal: AbortSignal, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (signal.aborted) throw signal.reason;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const work = task(signal);
  work.catch(() => undefined);
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs `task` with the deadline's signal (or one firing after `capMs`, whichever comes first) and settles
 * by then at the latest: a task that ignores its signal still loses the race. The deadline running out
 * is a DeadlineExceededError; the cap running out, or any other failure, is the task's own error.
 *
 * @example
 * const found = await beforeDeadline(deadline, 'item metadata store', (signal) => store.getMany(ids, signal));
 */
export async function beforeDeadline<T>(
  deadline: Deadline,
  what: string,
  task: (signal: AbortSignal) => Promise<T>,
  capMs?: number,
): Promise<T> {
  if (deadline.signal.aborted) throw new DeadlineExceededError(what, deadline.budgetMs);
  const signal = capMs === undefined ? deadline.signal : AbortSignal.any([deadline.signal, AbortSignal.timeout(capMs)]);
  try {
    return await withSignal(signal, task);
  } catch (err) {
    if (deadline.signal.aborted) throw new DeadlineExceededError(what, deadline.budgetMs, { cause: err });
    throw err;
  }
}
