/**
 * One deadline per request. The app starts a request's clock when the request arrives; every step that
 * waits on something outside the process (experiment assignment, origin, decoration, post-processor,
 * event targets) gets the deadline's AbortSignal — or a shorter one of its own, never a longer one —
 * and gives up when it fires. Aborting an AWS SDK call destroys its socket, so a request that ran out of
 * time leaves no connection behind. Running out answers `504 DeadlineExceeded` unless a fallback or a
 * stale cached response can answer instead.
 *
 * A deadline from `startDeadline` keeps its own list of what to stop when it expires rather than adding
 * listeners to its signal, makes its signal only when something asks for it, and caps a step with one
 * AbortController and a timer cleared when the step settles: on Node 20 every AbortSignal is a
 * transferable object that costs microseconds to make and collect, and `AbortSignal.any` with
 * `AbortSignal.timeout` cost tens of microseconds per origin call, more than the embedded recommender.
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
  return new RequestDeadline(budgetMs, now);
}

/** What a step racing a RequestDeadline is told when the deadline expires. */
type ExpiryHook = (reason: unknown) => void;

class RequestDeadline implements Deadline {
  readonly budgetMs: number;
  readonly #endsAt: number;
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout | undefined;
  #controller: AbortController | undefined;
  #reason: unknown;
  #expired = false;
  readonly #hooks = new Set<ExpiryHook>();

  constructor(budgetMs: number, now: () => number) {
    this.budgetMs = budgetMs;
    this.#now = now;
    this.#endsAt = now() + budgetMs;
    if (Number.isFinite(budgetMs)) {
      this.#timer = setTimeout(() => this.#expire(), budgetMs);
      this.#timer.unref();
    }
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#expired) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get expired(): boolean {
    return this.#expired;
  }

  remaining(): number {
    return Math.max(0, this.#endsAt - this.#now());
  }

  dispose(): void {
    clearTimeout(this.#timer);
  }

  /** Calls `hook` with the abort reason when the budget runs out; the returned function unsubscribes. */
  onExpire(hook: ExpiryHook): () => void {
    this.#hooks.add(hook);
    return () => this.#hooks.delete(hook);
  }

  #expire(): void {
    this.#expired = true;
    this.#reason = new DOMException('request budget exhausted', 'TimeoutError');
    this.#controller?.abort(this.#reason);
    for (const hook of [...this.#hooks]) hook(this.#reason);
    this.#hooks.clear();
  }
}

/** A deadline that never fires, for callers outside a request (tests, tools). */
export const NO_DEADLINE: Deadline = new RequestDeadline(Number.POSITIVE_INFINITY, () => 0);

/** What runs when a signal aborts, per signal: one listener on the signal however many tasks race it. */
const abortHooks = new WeakMap<AbortSignal, Set<() => void>>();

function onAbort(signal: AbortSignal, hook: () => void): () => void {
  let hooks = abortHooks.get(signal);
  if (!hooks) {
    const all = new Set<() => void>();
    hooks = all;
    abortHooks.set(signal, all);
    signal.addEventListener(
      'abort',
      () => {
        for (const run of [...all]) run();
        all.clear();
      },
      { once: true },
    );
  }
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/**
 * Settles once, with `task`'s outcome (its error through `failure`) or with the first interruption,
 * whichever comes first. `watch` subscribes to what may interrupt, given the function to call, and
 * returns what stops watching, which runs as soon as the promise settles.
 */
function settleFirst<T>(
  watch: (interrupt: (error: unknown) => void) => () => void,
  task: () => Promise<T>,
  failure: (err: unknown) => unknown = (err) => err,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let stop: (() => void) | undefined;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      stop?.();
      return true;
    };
    stop = watch((error) => finish() && reject(error));
    let work: Promise<T>;
    try {
      work = task();
    } catch (err) {
      if (finish()) reject(failure(err));
      return;
    }
    work.then(
      (value) => finish() && resolve(value),
      (err) => finish() && reject(failure(err)),
    );
  });
}

/**
 * Runs `task` with `signal` and settles when it does or when the signal aborts, whichever is first: a
 * task that ignores its signal still loses the race. Rejects with the signal's reason on abort. Tasks
 * racing one signal share a single abort listener on it (adding and removing one per task, as a
 * background window's exposures do per target, cost more than the delivery).
 *
 * @example
 * await withSignal(AbortSignal.timeout(1000), (signal) => client.send(command, { abortSignal: signal }));
 */
export function withSignal<T>(signal: AbortSignal, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return settleFirst(
    (interrupt) => onAbort(signal, () => interrupt(signal.reason)),
    () => task(signal),
  );
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
  if (deadline instanceof RequestDeadline) return race(deadline, what, task, capMs);
  if (deadline.signal.aborted) throw new DeadlineExceededError(what, deadline.budgetMs);
  const signal = capMs === undefined ? deadline.signal : AbortSignal.any([deadline.signal, AbortSignal.timeout(capMs)]);
  try {
    return await withSignal(signal, task);
  } catch (err) {
    if (deadline.signal.aborted) throw new DeadlineExceededError(what, deadline.budgetMs, { cause: err });
    throw err;
  }
}

/**
 * beforeDeadline for a RequestDeadline: the task gets the deadline's signal, or with a cap a signal of
 * its own that the cap's timer or the deadline's expiry aborts; the timer is cleared and the hook
 * removed as soon as the task settles.
 */
function race<T>(
  deadline: RequestDeadline,
  what: string,
  task: (signal: AbortSignal) => Promise<T>,
  capMs: number | undefined,
): Promise<T> {
  if (deadline.expired) return Promise.reject(new DeadlineExceededError(what, deadline.budgetMs));
  const cap = capMs === undefined ? undefined : new AbortController();
  return settleFirst(
    (interrupt) => {
      const unsubscribe = deadline.onExpire((reason) => {
        interrupt(new DeadlineExceededError(what, deadline.budgetMs, { cause: reason }));
        cap?.abort(reason);
      });
      if (!cap) return unsubscribe;
      const timer = setTimeout(() => {
        // The reason AbortSignal.timeout gives, which toOriginError maps to a 504 OriginTimeout.
        const reason = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
        interrupt(reason);
        cap.abort(reason);
      }, capMs);
      timer.unref();
      return () => {
        clearTimeout(timer);
        unsubscribe();
      };
    },
    () => task(cap ? cap.signal : deadline.signal),
    (err) => (deadline.expired ? new DeadlineExceededError(what, deadline.budgetMs, { cause: err }) : err),
  );
}
