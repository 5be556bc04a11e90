/**
 * What `POST /events/{namespace}` does once the body is parsed: check the conversions against the
 * configuration (a 400 sends nothing), fill each event's missing `properties` fields from the
 * request's auto-context, then deliver one batch to every target of the namespace at once, plus the
 * Evidently metric events of conversions on `evidently` experiments. Every record gets its
 * idempotency key (idempotency-keys.ts) and, with a ledger, reaches only the targets that have not taken
 * it, so a retry after a failure repeats nothing. Any target failing is a 502 naming it
 * (EventDeliveryError) with every target's outcome; otherwise every target's outcome is returned.
 */
import type { EvidentlyClient } from '@aws-sdk/client-evidently';
import type { ResolvedNamespace } from '../../schema/resolve-config.ts';
import type { Logger } from '../../shared/logger.ts';
import { evidentlyModule } from '../experiments/evidently-module.ts';
import type { Metrics } from '../metrics.ts';
import type { EventsBody } from './body.ts';
import { type EvidentlyConversion, resolveConversions } from './conversions.ts';
import { EventDeliveryError } from './delivery-error.ts';
import type { DeliveryLedger } from './delivery-ledger.ts';
import { enrichEvent } from './enrich.ts';
import { type FanOutOptions, fanOut, type TargetOutcome } from './fan-out.ts';
import { idempotencyKeys } from './idempotency-keys.ts';
import type { TargetsFor } from './namespace-targets.ts';
import type { EventBatch, EventRecord, RequestDocument } from './records.ts';
import type { EventTarget } from './targets/types.ts';

export interface EventsDeps {
  targetsFor: TargetsFor;
  evidently: () => Promise<EvidentlyClient>;
  logger: Logger;
  /** Retry settings of the fan-out (tests make the backoff instant). */
  retry?: Omit<FanOutOptions, 'logger' | 'metrics' | 'signal' | 'idempotency'>;
  metrics?: Metrics;
  /** What each target took (DynamoDB on Lambda, an in-memory LRU in serve); without it every request is delivered whole. */
  ledger?: DeliveryLedger;
}

export interface EventsAccepted {
  accepted: { events: number; conversions: number };
  targets: TargetOutcome[];
}

export interface RequestOrigin {
  path: string;
  headers: Headers;
  query: Record<string, string>;
}

/** Headers that carry credentials never leave in a request document. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'x-api-key']);

/** The request as the old service forwarded it: its body with the session and the enriched properties. */
function requestDocument(
  namespace: string,
  origin: RequestOrigin,
  body: EventsBody,
  events: readonly EventRecord[],
): RequestDocument {
  const headers: Record<string, string> = {};
  origin.headers.forEach((value, name) => {
    if (!CREDENTIAL_HEADERS.has(name)) headers[name] = value;
  });
  const posted: Record<string, unknown> = { ...body.posted, sessionId: body.sessionId };
  if (Array.isArray(body.posted.eventList)) {
    posted.eventList = body.posted.eventList.map((e: Record<string, unknown>, i) => {
      const properties = events[i]?.properties;
      return properties && Object.keys(properties).length > 0 ? { ...e, properties: JSON.stringify(properties) } : e;
    });
  }
  return {
    namespace,
    path: origin.path,
    headers,
    queryStringParameters: Object.keys(origin.query).length > 0 ? origin.query : null,
    body: posted,
  };
}

/** One pseudo-target per Evidently project, so its failures are retried and reported like any target's. */
function evidentlyTargets(conversions: EvidentlyConversion[], client: () => Promise<EvidentlyClient>): EventTarget[] {
  const byProject = new Map<string, EvidentlyConversion[]>();
  for (const c of conversions) byProject.set(c.project, [...(byProject.get(c.project) ?? []), c]);
  return [...byProject].map(([project, events]) => ({
    name: `evidently:${project}`,
    send: async (batch, signal) => {
      // Only the conversions still in the batch: a retry drops those this project already took.
      const sent = new Set(batch.records);
      const pending = events.filter((e) => sent.has(e.record));
      if (pending.length === 0) return;
      const { putMetricEvents } = evidentlyModule.current ?? (await evidentlyModule.load());
      return putMetricEvents(await client(), project, pending, signal);
    },
  }));
}

/**
 * @example
 * const result = await acceptEvents(namespace, parseEventsBody(text, { now, newSessionId }), {
 *   now, context: () => evaluateAutoContext(namespace.autoContext, input),
 * }, deps);
 * // → { accepted: { events: 1, conversions: 0 }, targets: [{ target: 'file:events.jsonl', ok: true }] }
 */
export async function acceptEvents(
  namespace: ResolvedNamespace,
  body: EventsBody,
  request: {
    now: Date;
    context: () => Readonly<Record<string, string | number>>;
    /** Where the request came from, for targets of the `request` record format. */
    origin?: RequestOrigin;
    /** The request's deadline: no target is waited on past it. */
    signal?: AbortSignal;
  },
  deps: EventsDeps,
): Promise<EventsAccepted> {
  const conversions =
    body.conversions.length > 0 && body.userId
      ? resolveConversions(namespace, body.userId, body.conversions, request.now)
      : { records: [], evidently: [] };
  const context = body.events.length > 0 ? request.context() : {};
  const events = body.events.map((event): EventRecord => {
    const e = enrichEvent(event, context);
    return {
      kind: 'event',
      namespace: namespace.key,
      sessionId: body.sessionId,
      ...(body.userId === undefined ? {} : { userId: body.userId }),
      ...e,
      sentAt: e.sentAt.toISOString(),
    };
  });
  const batch: EventBatch = {
    namespace: namespace.key,
    partitionKey: body.sessionId,
    records: [...events, ...conversions.records],
  };
  if (request.origin && namespace.eventTargets.some((t) => 'recordFormat' in t && t.recordFormat === 'request')) {
    batch.request = requestDocument(namespace.key, request.origin, body, events);
  }
  const targets = [...deps.targetsFor(namespace), ...evidentlyTargets(conversions.evidently, deps.evidently)];
  const outcomes = await fanOut(targets, batch, {
    ...deps.retry,
    logger: deps.logger,
    metrics: deps.metrics,
    signal: request.signal,
    ...(deps.ledger
      ? {
          idempotency: { keys: idempotencyKeys(namespace.key, body, events, conversions.records), ledger: deps.ledger },
        }
      : {}),
  });
  if (outcomes.some((o) => !o.ok)) throw new EventDeliveryError(outcomes);
  return { accepted: { events: events.length, conversions: conversions.records.length }, targets: outcomes };
}
