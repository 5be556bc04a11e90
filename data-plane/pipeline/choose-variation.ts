/**
 * Step 3 of the pipeline: which variation of a recommender serves this request.
 *
 * This is the seam for experiments. For now a recommender is served by its first variation; a request
 * naming a `feature` the recommender has no experiment for is a 400. The experiments work replaces the
 * body of `chooseVariation` (hash bucketing, Evidently) and fills `matchedExperiment`, keeping this
 * signature so the pipeline does not change.
 */
import type { ResolvedRecommender, ResolvedVariation } from '../../schema/resolve-config.ts';
import { BadRequestError, ServerMisconfiguredError } from '../errors.ts';

export interface MatchedExperiment {
  feature: string;
  method: string;
  variation: string;
}

export interface VariationChoice {
  variationKey: string;
  variation: ResolvedVariation;
  matchedExperiment?: MatchedExperiment;
}

/**
 * @example
 * const { variation } = await chooseVariation(recommender, { userId: 'u1', feature: undefined });
 */
export async function chooseVariation(
  recommender: ResolvedRecommender,
  request: { userId?: string; feature?: string },
): Promise<VariationChoice> {
  if (request.feature !== undefined && !recommender.experiments.has(request.feature)) {
    throw new BadRequestError(
      'UnknownFeature',
      `feature: recommender '${recommender.key}' has no experiment for feature '${request.feature}'`,
    );
  }
  const first = recommender.variations.entries().next();
  if (first.done) {
    throw new ServerMisconfiguredError(
      'NoVariations',
      `recommender '${recommender.key}' of namespace '${recommender.namespace}' has no variations`,
    );
  }
  const [variationKey, variation] = first.value;
  return { variationKey, variation };
}
