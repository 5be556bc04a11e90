/**
 * Which experiment of a recommender a request or a conversion refers to: the one its `feature` names,
 * else the recommender's first (configuration order).
 */
import type { ExperimentConfig } from '../../schema/config-schema.ts';
import type { ResolvedRecommender } from '../../schema/resolve-config.ts';

/**
 * Undefined when `feature` names no experiment of the recommender, or it has none.
 *
 * @example
 * findExperiment(recommender, undefined); // → { feature: 'home-page', experiment: { method: 'hash', … } }
 */
export function findExperiment(
  recommender: ResolvedRecommender,
  feature: string | undefined,
): { feature: string; experiment: ExperimentConfig } | undefined {
  if (feature !== undefined) {
    const experiment = recommender.experiments.get(feature);
    return experiment && { feature, experiment };
  }
  const first = recommender.experiments.entries().next();
  return first.done ? undefined : { feature: first.value[0], experiment: first.value[1] };
}
