/**
 * Events and experiments wired once per app: the namespace targets over the app's AWS clients (shared
 * by posted events and exposure records), the background runner for exposures, and the route. The
 * composition root (wiring.ts) builds one; tests pass fakes for any part.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { ResolvedConfig, ResolvedNamespace } from '../../schema/resolve-config.ts';
import type { AwsClients } from '../../shared/aws-clients.ts';
import type { Logger } from '../../shared/logger.ts';
import type { AppEnv } from '../app-env.ts';
import { recordExposure, type ServedExposure } from '../experiments/exposures.ts';
import type { Metrics } from '../metrics.ts';
import type { ExperimentDeps } from '../pipeline/choose-variation.ts';
import type { EventsAccepted } from './accept-events.ts';
import type { BackgroundTasks } from './background.ts';
import { EventDeliveryError } from './delivery-error.ts';
import type { DeliveryLedger } from './delivery-ledger.ts';
import { type FanOutOptions, fanOut, type TargetOutcome } from './fan-out.ts';
import { namespaceTargets } from './namespace-targets.ts';
import type { EventBatch } from './records.ts';
import { acceptPostedEvents, mountEventsRoute } from './route.ts';
import { createFileAppender, type FileAppender } from './targets/file-appender.ts';
import type { LearnFunction } from './targets/types.ts';

/** The AWS clients events and experiments use (AppDeps.clients has them all; `load` is absent when they are built already). */
export type EventClients = Pick<
  AwsClients,
  'personalizeEvents' | 'kinesis' | 'firehose' | 'eventBridge' | 'evidently'
> &
  Partial<Pick<AwsClients, 'load'>>;

export interface EventsServiceOptions {
  logger: Logger;
  /** Epoch milliseconds. */
  clock: () => number;
  defaultTimeZone: string;
  clients: EventClients;
  /** Feeds `builtin` targets; without it they fail (and are reported). */
  learn?: LearnFunction;
  files?: FileAppender;
  retry?: Omit<FanOutOptions, 'logger' | 'metrics' | 'signal' | 'idempotency'>;
  /** What each target took, so a retried `POST /events` reaches only the targets that failed (default none). */
  ledger?: DeliveryLedger;
  /** Per-target delivery metrics. */
  metrics?: Metrics;
  newSessionId?: () => string;
  /** Where exposures are delivered after the response; the entry points drain it. */
  background: BackgroundTasks;
}

export interface EventsService {
  /** What `chooseVariation` needs to evaluate experiments. */
  experiments: ExperimentDeps;
  /** Records an exposure for a response an experiment served, in the background. */
  recordExposure(exposure: ServedExposure): void;
  /** Exposures still being delivered; `drain()` finishes them (Lambda before returning, serve on shutdown), `idle()` waits (tests). */
  background: BackgroundTasks;
  /**
   * Loads what the configuration's event targets send with (their modules and SDK clients) and, when it
   * has any, the ledger's, so that no request waits for an import (the lifecycle calls it before the
   * configuration serves).
   */
  prepare(config: ResolvedConfig): Promise<void>;
  /** Mounts `POST /events/{namespace}`. */
  mount(app: Hono<AppEnv>): void;
  /** Accepts a posted events body for a namespace, as `POST /events/{namespace}` does (Personalize PutEvents). */
  accept(c: Context<AppEnv>, namespace: ResolvedNamespace, text: string): Promise<EventsAccepted>;
  /** Delivers a batch to every target of its namespace; any failure is an EventDeliveryError naming it. */
  deliver(namespace: ResolvedNamespace, batch: EventBatch, signal?: AbortSignal): Promise<TargetOutcome[]>;
}

/**
 * @example
 * const events = createEventsService({ clients, logger, clock: Date.now, defaultTimeZone: 'UTC', learn: models.learn,
 *   background: createBackgroundTasks({ logger }) });
 * events.mount(app);
 */
export function createEventsService(options: EventsServiceOptions): EventsService {
  const { clients } = options;
  const targetsFor = namespaceTargets({
    personalizeEvents: clients.personalizeEvents,
    kinesis: clients.kinesis,
    firehose: clients.firehose,
    eventBridge: clients.eventBridge,
    ...(clients.load ? { load: clients.load } : {}),
    files: options.files ?? createFileAppender(),
    learn: options.learn,
  });
  const { background } = options;
  const shared = {
    targetsFor,
    evidently: clients.evidently,
    logger: options.logger,
    retry: options.retry,
    metrics: options.metrics,
    ledger: options.ledger,
  };
  const routeDeps = {
    ...shared,
    clock: options.clock,
    defaultTimeZone: options.defaultTimeZone,
    newSessionId: options.newSessionId ?? randomUUID,
  };
  const exposureDeps = { ...shared, background };
  return {
    experiments: { evidently: clients.evidently, logger: options.logger },
    recordExposure: (exposure) => recordExposure(exposureDeps, exposure, new Date(options.clock())),
    background,
    prepare: async (config) => {
      const targets = [...config.namespaces.values()].flatMap((namespace) => targetsFor(namespace));
      await Promise.all([
        ...targets.map((target) => target.load?.()),
        targets.length > 0 ? options.ledger?.load?.() : undefined,
      ]);
    },
    mount: (app) => mountEventsRoute(app, routeDeps),
    accept: (c, namespace, text) => acceptPostedEvents(c, namespace, text, routeDeps),
    deliver: async (namespace, batch, signal) => {
      const outcomes = await fanOut(targetsFor(namespace), batch, {
        ...options.retry,
        logger: options.logger,
        metrics: options.metrics,
        signal,
      });
      if (outcomes.some((o) => !o.ok)) throw new EventDeliveryError(outcomes);
      return outcomes;
    },
  };
}
