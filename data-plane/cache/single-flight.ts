/**
 * Single-flight: while a computation for a key is running, callers asking for the same key wait for
 * it instead of starting their own — N concurrent identical cache misses make one origin call.
 */

export interface Flight<T> {
  /** The shared result. */
  promise: Promise<T>;
  /** True for the caller that started the computation. */
  leader: boolean;
}

/**
 * @example
 * const flights = new SingleFlight<Response>();
 * const { promise, leader } = flights.run(key, () => fetchFromOrigin());
 */
export class SingleFlight<T> {
  readonly #running = new Map<string, Promise<T>>();

  run(key: string, task: () => Promise<T>): Flight<T> {
    const running = this.#running.get(key);
    if (running) return { promise: running, leader: false };
    const promise = task().finally(() => this.#running.delete(key));
    this.#running.set(key, promise);
    return { promise, leader: true };
  }
}
