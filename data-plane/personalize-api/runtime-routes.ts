/**
 * Personalize Runtime, REST-JSON as the service speaks it: `POST /recommendations` (GetRecommendations),
 * `POST /personalize-ranking` (GetPersonalizedRanking) and `POST /action-recommendations`
 * (GetActionRecommendations, served by a recommend-items recommender whose item IDs are action IDs).
 * The ARN picks the recommender (arn-index.ts); the call becomes an inference request through the
 * cached pipeline (experiments, filters, context, cache, fallback); the answer is reshaped into the
 * service's output: `itemList`/`personalizedRanking` of `{itemId, score, metadata?, reason?,
 * promotionName?}` and `recommendationId`.
 */
import type { Context, Hono } from 'hono';
import * as z from 'zod';
import type { ItemMetadata } from '../../contracts/item-metadata/item.ts';
import type { Action } from '../../schema/config-schema.ts';
import type { AppEnv } from '../app-env.ts';
import { CACHE_STATUS_HEADER, type InferenceHandler } from '../cache/cached-inference.ts';
import type { RecommendedItem } from '../origins/types.ts';
import { headerLookup } from '../pipeline/auto-context.ts';
import { FALLBACK_HEADER, RECOMMENDATION_ID_HEADER } from '../pipeline/serve-inference.ts';
import { addRoute } from '../routing.ts';
import { type ArnTarget, arnTargets } from './arn-index.ts';
import { parseBody } from './body.ts';
import { invalidInput, resourceNotFound } from './errors.ts';

const id = z.string().min(1).max(256);
const arn = z.string().min(1).max(256);
const stringMap = z.record(z.string().min(1).max(150), z.string().max(1000));

const common = {
  campaignArn: arn.optional(),
  recommenderArn: arn.optional(),
  userId: id.optional(),
  context: stringMap.optional(),
  filterArn: arn.optional(),
  filterValues: stringMap.optional(),
  /** Any number of columns (Personalize allows 10); `ITEMS` is the only dataset with columns to return. */
  metadataColumns: z.record(z.string(), z.array(z.string().min(1).max(150))).optional(),
};

const recommendationsSchema = z.strictObject({
  ...common,
  itemId: id.optional(),
  numResults: z.int().min(1).max(500).optional(),
  promotions: z.array(z.unknown()).max(0, { error: 'promotions are not supported by this service' }).optional(),
});

const rankingSchema = z.strictObject({
  ...common,
  userId: id,
  inputList: z.array(id).min(1).max(500),
});

const actionsSchema = z.strictObject({
  campaignArn: arn,
  userId: id,
  numResults: z.int().min(1).max(100).optional(),
  filterArn: arn.optional(),
  filterValues: stringMap.optional(),
});

type Common = z.output<z.ZodObject<typeof common>>;

/** The ARN of the call: exactly one of campaignArn and recommenderArn. */
function arnOf(body: { campaignArn?: string; recommenderArn?: string }): string {
  const given = [body.campaignArn, body.recommenderArn].filter((v) => v !== undefined);
  if (given.length !== 1) throw invalidInput('give exactly one of campaignArn and recommenderArn');
  return given[0]!;
}

/** Item columns asked for, matched case-insensitively against the store's attribute names. */
function itemColumns(body: Common): string[] {
  for (const [dataset, columns] of Object.entries(body.metadataColumns ?? {})) {
    if (dataset.toUpperCase() === 'ITEMS') return columns;
  }
  return [];
}

/** Personalize's metadata is a map of strings: other values travel as their JSON text. */
function project(metadata: ItemMetadata, columns: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const lower = new Map(Object.keys(metadata).map((k) => [k.toLowerCase(), k]));
  for (const column of columns) {
    const key = column in metadata ? column : lower.get(column.toLowerCase());
    const value = key === undefined ? undefined : metadata[key];
    if (value === undefined || value === null) continue;
    out[column] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

function personalizeItem(item: RecommendedItem, columns: readonly string[]) {
  return {
    itemId: item.itemId,
    ...(typeof item.score === 'number' ? { score: item.score } : {}),
    ...(typeof item.promotionName === 'string' ? { promotionName: item.promotionName } : {}),
    ...(Array.isArray(item.reason) ? { reason: item.reason } : {}),
    ...(columns.length > 0 && item.metadata ? { metadata: project(item.metadata, columns) } : {}),
  };
}

/** Headers of the pipeline's answer that still mean something on a POST: which cache and fallback served it. */
const FORWARDED = [CACHE_STATUS_HEADER, FALLBACK_HEADER, RECOMMENDATION_ID_HEADER];

interface Served {
  items: RecommendedItem[];
  recommendationId: string;
  headers: Record<string, string>;
}

export function mountRuntimeRoutes(app: Hono<AppEnv>, inference: InferenceHandler): void {
  const serve = async (
    c: Context<AppEnv>,
    target: ArnTarget,
    request: { userId?: string; itemId?: string; itemList?: string[] },
    body: Partial<Common> & { numResults?: number },
    columns: readonly string[],
  ): Promise<Served> => {
    const query: Record<string, string> = { decorateItems: columns.length > 0 ? 'true' : 'false' };
    if (body.numResults !== undefined) query.numResults = String(body.numResults);
    if (body.filterArn !== undefined) query.filter = body.filterArn;
    if (body.filterValues !== undefined) query.filterValues = JSON.stringify(body.filterValues);
    if (body.context !== undefined) query.context = JSON.stringify(body.context);
    const action = target.recommender.action;
    if (action === 'related-items' && request.userId !== undefined) query.userId = request.userId;
    // A read whatever the HTTP method: GET lets the response cache and single-flight serve it.
    const res = await inference(c.get('config'), {
      action,
      method: 'GET',
      namespace: target.namespace.key,
      recommender: target.recommender.key,
      ...(action === 'related-items' ? { itemId: request.itemId } : { userId: request.userId }),
      ...(request.itemList ? { itemList: request.itemList } : {}),
      query,
      headers: headerLookup(c.req.raw.headers),
    });
    const text = typeof res.body === 'string' ? res.body : new TextDecoder().decode(res.body);
    const parsed = JSON.parse(text) as { itemList?: RecommendedItem[]; personalizedRanking?: RecommendedItem[] };
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    for (const name of FORWARDED) if (res.headers[name]) headers[name] = res.headers[name];
    return {
      items: parsed.itemList ?? parsed.personalizedRanking ?? [],
      recommendationId: res.headers[RECOMMENDATION_ID_HEADER] ?? '',
      headers,
    };
  };

  const find = (c: Context<AppEnv>, arnValue: string, action: Action): ArnTarget => {
    const targets = arnTargets(c.get('config'), arnValue);
    if (!targets) throw resourceNotFound(`no recommender is configured for ${arnValue}`);
    const target = targets[action];
    if (target) return target;
    throw invalidInput(`${arnValue} does not serve this request (it answers ${Object.keys(targets).join(', ')})`);
  };

  /** The service's answer: `{[listKey]: [...], recommendationId}`, with the pipeline's cache and fallback headers. */
  const reply = <T>(c: Context<AppEnv>, listKey: string, served: Served, toEntry: (item: RecommendedItem) => T) =>
    c.json({ [listKey]: served.items.map(toEntry), recommendationId: served.recommendationId }, 200, served.headers);

  addRoute(app, 'POST', '/recommendations', async (c) => {
    const body = parseBody(recommendationsSchema, await c.req.text());
    const arnValue = arnOf(body);
    if (body.userId === undefined && body.itemId === undefined) throw invalidInput('give userId, itemId or both');
    // An item ID asks for related items; a user alone for the user's recommendations.
    const target = find(c, arnValue, body.itemId !== undefined ? 'related-items' : 'recommend-items');
    const columns = itemColumns(body);
    const served = await serve(c, target, body, body, columns);
    return reply(c, 'itemList', served, (item) => personalizeItem(item, columns));
  });

  addRoute(app, 'POST', '/personalize-ranking', async (c) => {
    const body = parseBody(rankingSchema, await c.req.text());
    const target = find(c, arnOf(body), 'rerank-items');
    const columns = itemColumns(body);
    const served = await serve(c, target, { userId: body.userId, itemList: body.inputList }, body, columns);
    return reply(c, 'personalizedRanking', served, (item) => personalizeItem(item, columns));
  });

  addRoute(app, 'POST', '/action-recommendations', async (c) => {
    const body = parseBody(actionsSchema, await c.req.text());
    const served = await serve(c, find(c, body.campaignArn, 'recommend-items'), body, body, []);
    return reply(c, 'actionList', served, (item) => ({
      actionId: item.itemId,
      ...(typeof item.score === 'number' ? { score: item.score } : {}),
    }));
  });
}
