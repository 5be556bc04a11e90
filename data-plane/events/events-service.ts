/**
 * Events and experiments wired once per app: the namespace targets over the app's AWS clients (shared
 * by posted events and exposure records), the background runner for exposures, and the route. The
 * composition root (wiring.ts) builds one; tests pass fakes for any part.
 */
import type { Hono } from 'hono';
import type { AwsClients } from '../../shared/aws-clients.ts';
import type { Logger } from '../../shared/logger.ts';
import type { AppEnv } from '../app-env.ts';
import { recordExposure, type ServedExposure } from '../experiments/exposures.ts';
import type { ExperimentDeps } from '../pipeline/choose-variation.ts';
import type { BackgroundTasks } from './background.ts';
import type { FanOutOptions } from './fan-out.ts';
import { namespaceTargets } from './namespace-targets.ts';
import { mountEventsRoute } from './route.ts';
import { createFileAppender, type FileAppender } from './targets/file-appender.ts';
import type { LearnFunction } from './targets/types.ts';

/** The AWS clients events and experiments use (AppDeps.clients has them all). */
export type EventClients = Pick<AwsClients, 'personalizeEvents' | 'kinesis' | 'firehose' | 'eventBridge' | 'evidently'>;

export interface EventsServiceOptions {
  logger: Logger;
  /** Epoch milliseconds. */
  clock: () => number;
  defaultTimeZone: string;
  clients: EventClients;
  /** Feeds `builtin` targets; without it they fail (and are reported). */
  learn?: LearnFunction;
  files?: FileAppender;
  retry?: Omit<FanOutOptions, 'logger'>;
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
  /** Mounts `POST /events/{namespace}`. */
  mount(app: Hono<AppEnv>): void;
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
    files: options.files ?? createFileAppender(),
    learn: options.learn,
  });
  const { background } = options;
  const shared = { targetsFor, evidently: clients.evidently, logger: options.logger, retry: options.retry };
  return {
    experiments: { evidently: clients.evidently, logger: options.logger },
    recordExposure: (exposure) =>
      recordExposure({ ...shared, background }, { ...exposure, now: new Date(options.clock()) }),
    background,
    mount: (app) =>
      mountEventsRoute(app, {
        ...shared,
        clock: options.clock,
        defaultTimeZone: options.defaultTimeZone,
        newSessionId: options.newSessionId,
      }),
  };
}
