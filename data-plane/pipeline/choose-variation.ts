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
import type { Deadline } from '../deadline.ts';
import { BadRequestError, ServerMisconfiguredError } from '../errors.ts';
import { evidentlyModule } from '../experiments/evidently-module.ts';
import { findExperiment } from '../experiments/find-experiment.ts';
import { assignByHash } from '../experiments/hash-bucketing.ts';

/**
 * Which experiment served a response. `feature`, `method` and `variation` are this project's; `type`
 * (= method) and `details` (Evidently's experiment and treatment) are the old service's shape, kept
 * so its clients read the same fields.
 */
export interface MatchedExperiment {
  feature: string;
  method: ExperimentConfig['method'];
  variation: string;
  type: ExperimentConfig['method'];
  details: unknown;
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
 * // → { variationKey: 'b', variation, matchedExperiment: { feature: 'home-page', method: 'hash', variation: 'b',
 * //      type: 'hash', details: { experiment: 'home-page', treatment: 'b' } } }
 */
export async function chooseVariation(
  recommender: ResolvedRecommender,
  request: { userId?: string; feature?: string; deadline?: Deadline },
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
  let variationKey: string;
  let details: unknown;
  if (experiment.method === 'hash') {
    const assigned = assignByHash(feature, experiment, keys, request.userId);
    if (assigned === undefined) return first;
    variationKey = assigned;
    details = { experiment: feature, treatment: variationKey };
  } else {
    // Loaded on first use, like the client: deployments without Evidently never initialise it.
    const { evaluateWithEvidently } = evidentlyModule.current ?? (await evidentlyModule.load());
    const evaluated = await evaluateWithEvidently(await deps.evidently(), deps.logger, {
      project: experiment.project,
      feature,
      userId: request.userId,
      variationKeys: keys,
      deadline: request.deadline,
    });
    if (!evaluated.assigned) return first;
    const variation = recommender.variations.get(evaluated.variationKey)!;
    // A launch, override or default value serves its variation, but the user is not in the experiment.
    if (!evaluated.experimentMatch) return { variationKey: evaluated.variationKey, variation };
    variationKey = evaluated.variationKey;
    details = evaluated.details ?? { experiment: feature, treatment: variationKey };
  }
  const variation = recommender.variations.get(variationKey);
  if (!variation) return first;
  return {
    variationKey,
    variation,
    matchedExperiment: {
      feature,
      method: experiment.method,
      variation: variationKey,
      type: experiment.method,
      details,
    },
  };
}
