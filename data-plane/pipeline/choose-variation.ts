/**
 * Step 3 of the pipeline: which variation of a recommender serves a request. One variation, no
 * experiments or no user: the first variation, no experiment. Otherwise the experiment named by
 * `feature` (a 400 when the recommender has none by that name), else the recommender's first
 * experiment, evaluated by its method. The choice carries `matchedExperiment` only when the user was
 * really assigned by the experiment, which is also when an exposure is recorded.
 */
import type { EvidentlyClient } from '@aws-sdk/client-evidently';
import type { ExperimentConfig } from '../../schema/config-schema.ts';
import type { ResolvedRecommender, ResolvedVariation } from '../../schema/resolve-config.ts';
import type { Logger } from '../../shared/logger.ts';
import { BadRequestError, ServerMisconfiguredError } from '../errors.ts';
import { findExperiment } from '../experiments/find-experiment.ts';
import { assignByHash } from '../experiments/hash-bucketing.ts';

export interface MatchedExperiment {
  feature: string;
  method: ExperimentConfig['method'];
  variation: string;
}

export interface VariationChoice {
  variationKey: string;
  variation: ResolvedVariation;
  matchedExperiment?: MatchedExperiment;
}

export interface ExperimentDeps {
  /** Built on first use: only `evidently` experiments need it. */
  evidently: () => Promise<EvidentlyClient>;
  logger: Logger;
}

/**
 * @example
 * const choice = await chooseVariation(recommender, { userId: 'u1', feature: 'home-page' }, deps);
 * // → { variationKey: 'b', variation, matchedExperiment: { method: 'hash', feature: 'home-page', variation: 'b' } }
 */
export async function chooseVariation(
  recommender: ResolvedRecommender,
  request: { userId?: string; feature?: string },
  deps: ExperimentDeps,
): Promise<VariationChoice> {
  const keys = [...recommender.variations.keys()];
  const firstKey = keys[0];
  if (firstKey === undefined) {
    throw new ServerMisconfiguredError(
      'NoVariations',
      `recommender '${recommender.key}' of namespace '${recommender.namespace}' has no variations`,
    );
  }
  const found = findExperiment(recommender, request.feature);
  if (request.feature !== undefined && !found) {
    throw new BadRequestError(
      'UnknownFeature',
      `feature: recommender '${recommender.key}' has no experiment for feature '${request.feature}'`,
    );
  }
  const first: VariationChoice = { variationKey: firstKey, variation: recommender.variations.get(firstKey)! };
  if (!found || keys.length < 2 || !request.userId) return first;

  const { feature, experiment } = found;
  let variationKey: string | undefined;
  if (experiment.method === 'hash') {
    variationKey = assignByHash(feature, experiment, keys, request.userId);
  } else {
    // Loaded on first use, like the client: deployments without Evidently never initialise it.
    const { evaluateWithEvidently } = await import('../experiments/evidently.ts');
    const evaluated = await evaluateWithEvidently(await deps.evidently(), deps.logger, {
      project: experiment.project,
      feature,
      userId: request.userId,
      variationKeys: keys,
    });
    if (evaluated.assigned) variationKey = evaluated.variationKey;
  }
  const variation = variationKey === undefined ? undefined : recommender.variations.get(variationKey);
  if (variationKey === undefined || !variation) return first;
  return {
    variationKey,
    variation,
    matchedExperiment: { method: experiment.method, feature, variation: variationKey },
  };
}
