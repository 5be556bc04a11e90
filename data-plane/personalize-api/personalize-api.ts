/**
 * The Personalize-compatible API as a sub-app: the operations of Personalize Runtime and Personalize
 * Events that apps already call with the AWS SDK, at the paths and in the shapes the service uses, so
 * changing a client's `endpoint` is the whole migration. Authentication is SigV4 when access keys are
 * configured, else the app's own (API key / JWT); every refusal and error answers in the service's error
 * shape (errors.ts). The app's own authentication skips these paths (`isPersonalizeApiPath`) so that
 * this sub-app decides.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { describeError, type Logger } from '../../shared/logger.ts';
import type { AppEnv } from '../app-env.ts';
import type { InferenceHandler } from '../cache/cached-inference.ts';
import { PayloadTooLargeError } from '../errors.ts';
import type { EventsService } from '../events/events-service.ts';
import type { ItemMetadataStores } from '../item-metadata/types.ts';
import { errorResponse, PersonalizeApiError, toPersonalizeError } from './errors.ts';
import { mountEventsRoutes } from './events-routes.ts';
import { mountRuntimeRoutes } from './runtime-routes.ts';
import { type SigV4Options, sigV4Middleware } from './sigv4.ts';

/** Largest request body: 500 IDs to rank or 10 items with their properties fit easily. */
export const MAX_PERSONALIZE_BODY_BYTES = 512 * 1024;

export const PERSONALIZE_API_PATHS = [
  '/recommendations',
  '/personalize-ranking',
  '/action-recommendations',
  '/events',
  '/items',
  '/users',
] as const;

const paths = new Set<string>(PERSONALIZE_API_PATHS);

export const isPersonalizeApiPath = (path: string): boolean => paths.has(path);

export interface PersonalizeApiDeps {
  inference: InferenceHandler;
  events: EventsService;
  itemMetadata?: ItemMetadataStores;
  logger: Logger;
  /** Epoch milliseconds. */
  clock: () => number;
  /** Verify SigV4 signatures with these keys; otherwise `auth`, otherwise open. */
  sigv4?: Omit<SigV4Options, 'clock'>;
  auth?: MiddlewareHandler<AppEnv>;
}

/**
 * @example
 * app.route('/', personalizeApi({ inference, events, itemMetadata, logger, clock: Date.now }));
 * // new PersonalizeRuntimeClient({ endpoint: 'http://127.0.0.1:8080' }).send(new GetRecommendationsCommand({...}))
 */
export function personalizeApi(deps: PersonalizeApiDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const auth = deps.sigv4 ? sigV4Middleware({ ...deps.sigv4, clock: deps.clock }) : deps.auth;
  const limit = bodyLimit({
    maxSize: MAX_PERSONALIZE_BODY_BYTES,
    onError: () => {
      throw new PayloadTooLargeError(MAX_PERSONALIZE_BODY_BYTES);
    },
  });
  // Per path: middleware on '*' would run for every route of the app this one is mounted in.
  for (const path of PERSONALIZE_API_PATHS) {
    if (auth) app.use(path, auth);
    app.use(path, limit);
  }
  mountRuntimeRoutes(app, deps.inference);
  mountEventsRoutes(app, { events: deps.events, itemMetadata: deps.itemMetadata, clock: deps.clock });
  app.onError((err, c) => {
    const known = toPersonalizeError(err);
    if (known) {
      if (known.status >= 500) deps.logger.warn('request failed', { path: c.req.path, error: describeError(err) });
      return errorResponse(known);
    }
    deps.logger.error('unexpected error', { path: c.req.path, error: describeError(err, true) });
    return errorResponse(new PersonalizeApiError(500, 'InternalFailure', 'internal error'));
  });
  return app;
}
