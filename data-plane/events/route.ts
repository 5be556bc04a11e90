/**
 * `POST /events/{namespace}`: read the body (size-limited; any content type, so `navigator.sendBeacon`
 * works), parse it, accept it and answer what every target did. Responses are never cached. The auto-
 * context the events are enriched with is evaluated on this request's headers and time with the
 * namespace's effective `autoContext`, by the same evaluator inference uses.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ResolvedNamespace } from '../../schema/resolve-config.ts';
import type { AppEnv } from '../app-env.ts';
import { NotFoundError, PayloadTooLargeError } from '../errors.ts';
import { evaluateAutoContext, headerLookup } from '../pipeline/auto-context.ts';
import { addRoute } from '../routing.ts';
import { acceptEvents, type EventsAccepted, type EventsDeps } from './accept-events.ts';
import { MAX_EVENTS_BODY_BYTES, parseEventsBody } from './body.ts';

export const EVENTS_PATH = '/events/:namespace';

export interface EventsRouteDeps extends EventsDeps {
  /** Epoch milliseconds. */
  clock: () => number;
  /** IANA zone for time-based context when the viewer's is unknown. */
  defaultTimeZone: string;
  /** Session of a request that names neither session nor user (default a random UUID). */
  newSessionId?: () => string;
}

/**
 * Parses a posted events body and accepts it for `namespace`, with auto-context evaluated on the
 * request `c` (shared with the Personalize-compatible PutEvents).
 */
export async function acceptPostedEvents(
  c: Context<AppEnv>,
  namespace: ResolvedNamespace,
  text: string,
  deps: EventsRouteDeps & { newSessionId: () => string },
): Promise<EventsAccepted> {
  const now = deps.clock();
  const body = parseEventsBody(text, { now: new Date(now), newSessionId: deps.newSessionId });
  return acceptEvents(
    namespace,
    body,
    {
      now: new Date(now),
      context: () =>
        evaluateAutoContext(
          namespace.autoContext,
          { headers: headerLookup(c.req.raw.headers), now, defaultTimeZone: deps.defaultTimeZone },
          'all',
        ),
      origin: { path: c.req.path, headers: c.req.raw.headers, query: c.req.query() },
      signal: c.get('deadline').signal,
    },
    deps,
  );
}

/**
 * @example
 * mountEventsRoute(app, { targetsFor, evidently, logger, clock: Date.now, defaultTimeZone: 'UTC' });
 * await app.request('/events/shop', { method: 'POST', body: '{"userId":"u1","eventList":[{"eventType":"click"}]}' });
 */
export function mountEventsRoute(app: Hono<AppEnv>, deps: EventsRouteDeps): void {
  const newSessionId = deps.newSessionId ?? randomUUID;
  addRoute(
    app,
    'POST',
    EVENTS_PATH,
    async (c, next) => {
      c.header('Cache-Control', 'no-store');
      await next();
    },
    bodyLimit({
      maxSize: MAX_EVENTS_BODY_BYTES,
      onError: () => {
        throw new PayloadTooLargeError(MAX_EVENTS_BODY_BYTES);
      },
    }),
    async (c) => {
      const key = c.req.param('namespace')!;
      const namespace = c.get('config').namespaces.get(key);
      if (!namespace) throw new NotFoundError('NamespaceNotFound', `namespace '${key}' is not configured`);
      // Events for a namespace with nowhere to send them would be dropped: refuse them, as the old service did.
      if (namespace.eventTargets.length === 0) {
        throw new NotFoundError('NamespaceEventTargetsNotFound', `namespace '${key}' has no eventTargets configured`);
      }
      const result = await acceptPostedEvents(c, namespace, await c.req.text(), { ...deps, newSessionId });
      return c.json(result, 200);
    },
  );
}
