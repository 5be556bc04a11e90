/**
 * Personalize Events on the compatible API: `POST /events` (PutEvents: the `trackingId` picks the
 * namespace, then the events go to every target of that namespace with auto-context, exactly as
 * `POST /events/{namespace}` sends them), `POST /items` (PutItems: upserts into the namespace's
 * item-metadata stores, so decoration changes without a re-import) and `POST /users` (PutUsers: `user`
 * records to every target; a Personalize event tracker target forwards them with PutUsers, files,
 * streams and buses record them, the embedded recommender ignores them). Answers are empty, as the
 * service's are.
 */
import type { Context, Hono } from 'hono';
import * as z from 'zod';
import type { ResolvedNamespace } from '../../schema/resolve-config.ts';
import { isThrottled } from '../../shared/aws-errors.ts';
import type { AppEnv } from '../app-env.ts';
import type { EventsService } from '../events/events-service.ts';
import type { ItemMetadataStores, StoredItem } from '../item-metadata/types.ts';
import { addRoute } from '../routing.ts';
import { namespaceOfDatasetArn, namespaceOfTrackingId } from './arn-index.ts';
import { parseBody } from './body.ts';
import { invalidInput, PersonalizeApiError, resourceNotFound } from './errors.ts';

const id = z.string().min(1).max(256);
/** Personalize's `properties`: a JSON object as a string. */
const properties = z
  .string()
  .max(24_262)
  .transform((text, ctx) => {
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {}
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object encoded as a string' });
    return z.NEVER;
  });

const putEventsEnvelope = z.looseObject({ trackingId: z.string().min(1).max(256) });

const putItemsSchema = z.strictObject({
  datasetArn: z.string().min(1).max(256),
  items: z
    .array(z.strictObject({ itemId: id, properties: properties.optional() }))
    .min(1)
    .max(10),
});

const putUsersSchema = z.strictObject({
  datasetArn: z.string().min(1).max(256),
  users: z
    .array(z.strictObject({ userId: id, properties: properties.optional() }))
    .min(1)
    .max(10),
});

export interface EventsRoutesDeps {
  events: EventsService;
  itemMetadata?: ItemMetadataStores;
  /** Epoch milliseconds. */
  clock: () => number;
}

/** PutEvents fields this service has no use for: dropped before the body reaches the events parser. */
function withoutPersonalizeOnlyFields(body: Record<string, unknown>): Record<string, unknown> {
  const { trackingId: _trackingId, ...rest } = body;
  if (Array.isArray(rest.eventList)) {
    rest.eventList = rest.eventList.map((event: unknown) => {
      if (typeof event !== 'object' || event === null) return event;
      const { metricAttribution: _metricAttribution, ...fields } = event as Record<string, unknown>;
      return fields;
    });
  }
  return rest;
}

function datasetNamespace(c: Context<AppEnv>, datasetArn: string): ResolvedNamespace {
  const namespace = namespaceOfDatasetArn(c.get('config'), datasetArn);
  if (!namespace) throw resourceNotFound(`no namespace is configured for dataset ${datasetArn}`);
  return namespace;
}

export function mountEventsRoutes(app: Hono<AppEnv>, deps: EventsRoutesDeps): void {
  addRoute(app, 'POST', '/events', async (c) => {
    const text = await c.req.text();
    const envelope = parseBody(putEventsEnvelope, text);
    const namespace = namespaceOfTrackingId(c.get('config'), envelope.trackingId);
    if (!namespace) throw resourceNotFound(`no namespace is configured for tracking ID ${envelope.trackingId}`);
    await deps.events.accept(c, namespace, JSON.stringify(withoutPersonalizeOnlyFields(envelope)));
    return c.json({}, 200, { 'Cache-Control': 'no-store' });
  });

  addRoute(app, 'POST', '/items', async (c) => {
    const body = parseBody(putItemsSchema, await c.req.text());
    const namespace = datasetNamespace(c, body.datasetArn);
    const stores = namespace.itemMetadataStores.map((config) => deps.itemMetadata?.(namespace.key, config));
    const writable = stores.filter((s) => s?.putMany !== undefined);
    if (writable.length === 0) {
      throw invalidInput(
        `namespace ${namespace.key} has no item-metadata store that takes writes (a localdb served locally or a dynamodb table)`,
      );
    }
    const items: StoredItem[] = body.items.map((item) => ({ id: item.itemId, metadata: item.properties ?? {} }));
    try {
      await Promise.all(writable.map((store) => store!.putMany!(items)));
    } catch (err) {
      if (isThrottled(err)) throw new PersonalizeApiError(429, 'ThrottlingException', 'the item store is throttling');
      throw new PersonalizeApiError(
        503,
        'ServiceUnavailableException',
        `the items could not be stored: ${(err as Error).message}`,
      );
    }
    return c.json({}, 200, { 'Cache-Control': 'no-store' });
  });

  addRoute(app, 'POST', '/users', async (c) => {
    const body = parseBody(putUsersSchema, await c.req.text());
    const namespace = datasetNamespace(c, body.datasetArn);
    if (namespace.eventTargets.length === 0) {
      throw resourceNotFound(`namespace ${namespace.key} has no eventTargets to forward users to`);
    }
    const timestamp = new Date(deps.clock()).toISOString();
    await deps.events.deliver(
      namespace,
      {
        namespace: namespace.key,
        partitionKey: body.users[0]!.userId,
        records: body.users.map((user) => ({
          kind: 'user',
          namespace: namespace.key,
          userId: user.userId,
          ...(user.properties ? { properties: user.properties } : {}),
          datasetArn: body.datasetArn,
          timestamp,
        })),
      },
      c.get('deadline').signal,
    );
    return c.json({}, 200, { 'Cache-Control': 'no-store' });
  });
}
