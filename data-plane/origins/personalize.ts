/**
 * Amazon Personalize campaigns and recommenders: GetRecommendations for recommend-items and related-items,
 * GetPersonalizedRanking for rerank-items. Whether the ARN goes in `campaignArn` or `recommenderArn` follows
 * the ARN's resource type, so a mislabelled variation type still calls the right way.
 */
import {
  GetPersonalizedRankingCommand,
  GetRecommendationsCommand,
  type PersonalizeRuntimeClient,
  type PredictedItem,
} from '@aws-sdk/client-personalize-runtime';
import { parseArn } from '../../schema/arn.ts';
import { OriginFailedError } from '../errors.ts';
import type { OriginRequest, OriginResolver, OriginResult, RecommendedItem } from './types.ts';

function toItem(p: PredictedItem): RecommendedItem | undefined {
  if (!p.itemId) return undefined;
  const { itemId, score, metadata, ...rest } = p;
  const item: RecommendedItem = { itemId };
  if (score !== undefined) item.score = score;
  if (metadata && Object.keys(metadata).length > 0) item.metadata = metadata;
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) item[k] = v;
  return item;
}

function toResult(list: PredictedItem[] | undefined, recommendationId: string | undefined): OriginResult {
  const items = (list ?? []).map(toItem).filter((i): i is RecommendedItem => i !== undefined);
  return recommendationId ? { items, recommendationId } : { items };
}

const nonEmpty = <T extends object>(o: T | undefined) => (o && Object.keys(o).length > 0 ? o : undefined);

/**
 * @example
 * const resolver = personalizeResolver(() => clients.personalizeRuntime());
 * resolvers['personalize-campaign'] = resolver; resolvers['personalize-recommender'] = resolver;
 */
export function personalizeResolver(client: () => PersonalizeRuntimeClient): OriginResolver {
  return async (request: OriginRequest): Promise<OriginResult> => {
    const { variation } = request;
    if (variation.type !== 'personalize-campaign' && variation.type !== 'personalize-recommender') {
      throw new OriginFailedError(`variation ${variation.key}`, `not a Personalize variation (${variation.type})`);
    }
    const origin = `Personalize ${variation.arn}`;
    const isRecommender = parseArn(variation.arn)?.resourceType === 'recommender';
    const common = {
      userId: request.userId,
      context: nonEmpty(request.context),
      filterArn: request.filterArn,
      filterValues: request.filterArn ? nonEmpty(request.filterValues) : undefined,
      metadataColumns: request.metadataColumns?.length ? { ITEMS: request.metadataColumns } : undefined,
    };
    if (request.action === 'rerank-items') {
      if (isRecommender) {
        throw new OriginFailedError(origin, 'Personalize recommenders cannot rerank; use a campaign');
      }
      const out = await client().send(
        new GetPersonalizedRankingCommand({
          ...common,
          campaignArn: variation.arn,
          userId: request.userId ?? '',
          inputList: request.itemList ?? [],
        }),
        { abortSignal: request.signal },
      );
      return toResult(out.personalizedRanking, out.recommendationId);
    }
    const out = await client().send(
      new GetRecommendationsCommand({
        ...common,
        ...(isRecommender ? { recommenderArn: variation.arn } : { campaignArn: variation.arn }),
        itemId: request.itemId,
        numResults: request.numResults,
      }),
      { abortSignal: request.signal },
    );
    return toResult(out.itemList, out.recommendationId);
  };
}
