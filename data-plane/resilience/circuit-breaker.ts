/**
 * A circuit breaker per origin (one per variation), so a dead recommender is not hammered: after
 * `failureThreshold` consecutive failures the circuit opens and calls fail at once (or go to the
 * fallback, or a stale answer) for `cooldownMs`; then one probe call is let through (half-open) —
 * success closes the circuit, failure opens it for another cool-down. Every transition is logged.
 */

import type { Logger } from '../../shared/logger.ts';
import { ApiError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import { isServerSideFailure } from './failure.ts';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open a circuit (default 5). */
  failureThreshold?: number;
  /** How long an open circuit short-circuits before a probe (default 30 000 ms). */
  cooldownMs?: number;
}

const DEFAULT_FAILURE_THRESHOLD = 5;
const DEFAULT_COOLDOWN_MS = 30_000;

/** 503: the origin's circuit is open; `retryAfterSeconds` is when a probe will be let through. */
export class CircuitOpenError extends ApiError {
  override name = 'CircuitOpenError';
  constructor(
    origin: string,
    readonly retryAfterSeconds: number,
  ) {
    super(
      503,
      'OriginError',
      'OriginUnavailable',
      `${origin} failed repeatedly; calls to it are paused for ${retryAfterSeconds} s`,
    );
  }

  override get publicMessage(): string {
    return `the recommender failed repeatedly; calls to it are paused for ${this.retryAfterSeconds} s`;
  }

  override responseHeaders(): Record<string, string> {
    return { 'Retry-After': String(this.retryAfterSeconds) };
  }
}

interface Circuit {
  state: 'closed' | 'open' | 'half-open';
  failures: number;
  openedAt: number;
}

/**
 * @example
 * const breakers = new CircuitBreakers({ failureThreshold: 5, cooldownMs: 30_000 }, { clock: Date.now, logger, metrics });
 * const result = await breakers.call('retail/for-you/a', 'http http://recs', () => callOrigin(resolvers, request));
 */
export class CircuitBreakers {
  readonly #circuits = new Map<string, Circuit>();
  readonly #threshold: number;
  readonly #cooldownMs: number;

  constructor(
    options: CircuitBreakerOptions,
    private readonly deps: { clock: () => number; logger: Logger; metrics: Metrics },
  ) {
    this.#threshold = Math.max(1, options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD);
    this.#cooldownMs = Math.max(0, options.cooldownMs ?? DEFAULT_COOLDOWN_MS);
  }

  /** Runs `task` through the circuit `key`; throws CircuitOpenError without running it while open. */
  async call<T>(key: string, origin: string, task: () => Promise<T>): Promise<T> {
    const circuit = this.#admit(key, origin);
    let result: T;
    try {
      result = await task();
    } catch (err) {
      if (isServerSideFailure(err)) this.#failed(circuit, key, origin);
      else this.#succeeded(circuit, key, origin);
      throw err;
    }
    this.#succeeded(circuit, key, origin);
    return result;
  }

  #admit(key: string, origin: string): Circuit {
    let circuit = this.#circuits.get(key);
    if (!circuit) {
      circuit = { state: 'closed', failures: 0, openedAt: 0 };
      this.#circuits.set(key, circuit);
    }
    if (circuit.state === 'closed') return circuit;
    const now = this.deps.clock();
    const reopensAt = circuit.openedAt + this.#cooldownMs;
    if (circuit.state === 'open' && now >= reopensAt) {
      circuit.state = 'half-open';
      this.deps.logger.info('circuit half-open; probing origin', { circuit: key, origin });
      return circuit;
    }
    this.deps.metrics.add('CircuitShortCircuit', 'Count', 1);
    throw new CircuitOpenError(origin, Math.max(1, Math.ceil((reopensAt - now) / 1000)));
  }

  /** Forgets every circuit whose key `keep` rejects (origins a new configuration no longer has). */
  retain(keep: (key: string) => boolean): void {
    for (const key of [...this.#circuits.keys()]) if (!keep(key)) this.#circuits.delete(key);
  }

  #failed(circuit: Circuit, key: string, origin: string): void {
    circuit.failures++;
    if (circuit.state === 'half-open' || (circuit.state === 'closed' && circuit.failures >= this.#threshold)) {
      const reopened = circuit.state === 'half-open';
      circuit.state = 'open';
      circuit.openedAt = this.deps.clock();
      this.deps.metrics.add('CircuitOpened', 'Count', 1);
      this.deps.logger.warn(reopened ? 'circuit re-opened; probe failed' : 'circuit opened', {
        circuit: key,
        origin,
        failures: circuit.failures,
        cooldownMs: this.#cooldownMs,
      });
    }
  }

  #succeeded(circuit: Circuit, key: string, origin: string): void {
    if (circuit.state === 'half-open') {
      this.deps.logger.info('circuit closed; probe succeeded', { circuit: key, origin });
    }
    circuit.state = 'closed';
    circuit.failures = 0;
  }
}
