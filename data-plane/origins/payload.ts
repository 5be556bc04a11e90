/**
 * The request body custom origins receive (Lambda functions, SageMaker endpoints, HTTP recommenders),
 * version 1.0, and the parser for what they answer. One shape for all three so a recommender can move
 * between them unchanged.
 */
import * as z from 'zod';
import { OriginFailedError } from '../errors.ts';
import type { OriginRequest, OriginResult, RecommendedItem } from './types.ts';

/** The request's own fields go over the wire as they are; recommender and variation as plain JSON. */
export interface OriginPayload
  extends Pick<
    OriginRequest,
    'action' | 'userId' | 'itemId' | 'itemList' | 'numResults' | 'context' | 'filterArn' | 'filterValues'
  > {
  version: '1.0';
  recommender: { path: string; config: Record<string, unknown> };
  variation: Record<string, unknown>;
}

/** Recommender and variation as the configuration wrote them, without resolution-only fields. */
function plainVariation(request: Omit<OriginRequest, 'signal'>): Record<string, unknown> {
  const { contextHeaders: _headers, ...variation } = request.variation;
  return variation;
}

/**
 * @example
 * JSON.stringify(originPayload(request)) // what a Lambda/SageMaker/HTTP recommender receives
 */
export function originPayload(request: Omit<OriginRequest, 'signal'>): OriginPayload {
  const { recommender } = request;
  return {
    version: '1.0',
    action: request.action,
    recommender: {
      path: `/${request.action}/${request.namespace}/${recommender.key}`,
      config: {
        name: recommender.name,
        description: recommender.description,
        defaultNumResults: recommender.defaultNumResults,
        maxNumResults: recommender.maxNumResults,
      },
    },
    variation: plainVariation(request),
    userId: request.userId,
    itemId: request.itemId,
    itemList: request.itemList,
    numResults: request.numResults,
    context: request.context,
    filterArn: request.filterArn,
    filterValues: request.filterValues,
  };
}

const itemSchema = z.union([
  z
    .string()
    .min(1)
    .transform((itemId): RecommendedItem => ({ itemId })),
  z.looseObject({ itemId: z.string().min(1), score: z.number().optional() }).transform((i) => i as RecommendedItem),
]);

const resultSchema = z.union([
  z.object({ itemList: z.array(itemSchema), recommendationId: z.string().optional() }),
  z.object({ personalizedRanking: z.array(itemSchema), recommendationId: z.string().optional() }),
]);

/** Reads `{itemList}` or `{personalizedRanking}` (items as objects with `itemId`, or bare ID strings). */
export function parseOriginResult(value: unknown, origin: string): OriginResult {
  const parsed = resultSchema.safeParse(value);
  if (!parsed.success) {
    throw new OriginFailedError(
      origin,
      'response is not {itemList: [...]} or {personalizedRanking: [...]} with an itemId per item',
    );
  }
  const data = parsed.data;
  const items = 'itemList' in data ? data.itemList : data.personalizedRanking;
  return data.recommendationId ? { items, recommendationId: data.recommendationId } : { items };
}

/** Parses JSON text from an origin; a syntax error is the origin's failure (502), not ours. */
export function parseOriginJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new OriginFailedError(origin, `response is not JSON: ${text.slice(0, 100)}`);
  }
}
