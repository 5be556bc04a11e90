/**
 * A scriptable in-process origin for cache, resilience, fuzz and benchmark code: it records every call,
 * answers `numResults` items at once by default, and can be told per variation key to fail, throttle,
 * hang until aborted, or wait for a gate the test opens. Also a swappable configuration provider and a
 * recording logger, so tests can change the configuration and read the logs.
 */

import type { ConfigProvider } from '../../data-plane/config/types.ts';
import { BadRequestError, OriginFailedError, OriginThrottledError } from '../../data-plane/errors.ts';
import type { OriginRequest, OriginResolver } from '../../data-plane/origins/types.ts';
import { type AppOptions, buildApp } from '../../data-plane/wiring.ts';
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import { validateConfig } from '../../schema/validate-config.ts';
import { createAwsClients } from '../../shared/aws-clients.ts';
import { type LogAttributes, type Logger, silentLogger } from '../../shared/logger.ts';

export type OriginBehaviour = 'ok' | 'fail' | 'throttle' | 'hang' | 'bad-request' | 'gate';

export interface FakeOrigin {
  resolver: OriginResolver;
  calls: OriginRequest[];
  /** Behaviour by variation key; unlisted variations answer normally. */
  behaviour: Map<string, OriginBehaviour>;
  /** Releases every call waiting at the gate. */
  openGate(): void;
}

export function fakeOrigin(): FakeOrigin {
  const calls: OriginRequest[] = [];
  const behaviour = new Map<string, OriginBehaviour>();
  let release = () => {};
  const newGate = () =>
    new Promise<void>((resolve) => {
      release = resolve;
    });
  let gate = newGate();
  const resolver: OriginResolver = async (request) => {
    calls.push(request);
    const label = `fake ${request.variation.key}`;
    switch (behaviour.get(request.variation.key) ?? 'ok') {
      case 'fail':
        throw new OriginFailedError(label, 'HTTP 500');
      case 'throttle':
        throw new OriginThrottledError(label);
      case 'bad-request':
        throw new BadRequestError('InvalidParameter', 'itemId is not in the catalogue');
      case 'hang':
        await new Promise((_, reject) =>
          request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true }),
        );
        break;
      case 'gate':
        await gate;
        break;
      case 'ok':
        break;
    }
    const items = (request.itemList ?? Array.from({ length: request.numResults }, (_, i) => `item-${i + 1}`)).map(
      (itemId, i) => ({ itemId, score: 1 / (i + 1) }),
    );
    return { items: items.slice(0, request.numResults), recommendationId: `rid-${request.variation.key}` };
  };
  return {
    resolver,
    calls,
    behaviour,
    openGate() {
      release();
      gate = newGate();
    },
  };
}

/** A configuration provider whose configuration the test replaces with `set`. */
export function swappableConfig(initial: unknown): ConfigProvider & { set(config: unknown): void } {
  const resolve = (config: unknown): ResolvedConfig => {
    const result = validateConfig(config);
    if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
    return result.resolved;
  };
  let current = resolve(initial);
  return {
    source: 'test configuration',
    async start() {},
    async stop() {},
    current: () => current,
    onChange() {},
    set(config) {
      current = resolve(config);
    },
  };
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes?: LogAttributes;
}

/** A logger that keeps what it is told. */
export function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (message: string, attributes?: LogAttributes) => {
    entries.push({ level, message, attributes });
  };
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** AWS clients no fake-origin app ever calls. */
export const unusedClients = () => createAwsClients({ region: 'us-east-1', maxAttempts: 1 });

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 0, 15, 12, 0, 0)) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** One http recommender, `/recommend-items/shop/top/{user}`, answered by a fake origin with silent logs. */
export function oneRecommenderApp(overrides: Partial<AppOptions> = {}) {
  return buildApp({
    config: swappableConfig({
      version: '1',
      namespaces: {
        shop: {
          recommenders: { 'recommend-items': { top: { variations: { a: { type: 'http', url: 'http://o.test/' } } } } },
        },
      },
    }),
    clients: unusedClients(),
    resolvers: { http: fakeOrigin().resolver },
    logger: silentLogger,
    ...overrides,
  });
}
