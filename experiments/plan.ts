/**
 * What a readout needs to know about each configured experiment, taken from the configuration once:
 * where it lives (namespace, action, recommender, feature), its variations with the first as control,
 * the weights the sample-ratio test expects, the minimum sample, and its metrics with the event type,
 * attribution window and value rule of those declared from ordinary events. The file readout and the
 * Athena SQL both work from these plans, so they cannot disagree about the configuration.
 */
import type { ExperimentConfig } from '../schema/config-schema.ts';
import { ACTIONS, type Action } from '../schema/config-schema.ts';
import type { ResolvedConfig } from '../schema/resolve-config.ts';

export const DEFAULT_WINDOW_HOURS = 24;

export interface MetricPlan {
  name: string;
  /** Events of this type are conversions when attributed; absent: only posted experimentConversions count. */
  eventType?: string;
  windowMs: number;
  /** 'eventValue' (0 when an event has none) or a constant per conversion. */
  value: 'eventValue' | number;
}

export interface ExperimentPlan {
  namespace: string;
  action: Action;
  recommender: string;
  feature: string;
  method: ExperimentConfig['method'];
  description?: string;
  /** Configuration order; the first is the control. */
  variations: string[];
  /** Per variation, same order; absent for methods whose split the configuration does not hold (evidently). */
  weights?: number[];
  minimumSample?: number;
  metrics: MetricPlan[];
}

/** `namespace/action/recommender/feature`: the key records carry in pieces. */
export const experimentKey = (e: { namespace: string; action: string; recommender: string; feature: string }): string =>
  `${e.namespace}/${e.action}/${e.recommender}/${e.feature}`;

/**
 * @example
 * experimentPlans(resolved, 'retail');
 * // → [{ namespace: 'retail', recommender: 'for-you', feature: 'for-you-ab', variations: ['cooccurrence', 'popularity'], … }]
 */
export function experimentPlans(config: ResolvedConfig, namespace?: string): ExperimentPlan[] {
  const plans: ExperimentPlan[] = [];
  for (const ns of config.namespaces.values()) {
    if (namespace !== undefined && ns.key !== namespace) continue;
    for (const action of ACTIONS) {
      for (const recommender of ns.recommenders[action].values()) {
        const variations = [...recommender.variations.keys()];
        for (const [feature, experiment] of recommender.experiments) {
          const metrics: MetricPlan[] = Object.entries(experiment.metrics ?? {}).map(([name, metric]) => {
            const declared = 'eventType' in metric ? metric : {};
            return {
              name,
              ...(declared.eventType === undefined ? {} : { eventType: declared.eventType }),
              windowMs: (declared.windowHours ?? DEFAULT_WINDOW_HOURS) * 3_600_000,
              value: declared.value ?? 1,
            };
          });
          plans.push({
            namespace: ns.key,
            action,
            recommender: recommender.key,
            feature,
            method: experiment.method,
            ...(experiment.description === undefined ? {} : { description: experiment.description }),
            variations,
            ...(experiment.method === 'hash'
              ? {
                  weights: variations.map((v) => experiment.weights[v] ?? 0),
                  ...(experiment.minimumSample === undefined ? {} : { minimumSample: experiment.minimumSample }),
                }
              : {}),
            metrics,
          });
        }
      }
    }
  }
  return plans;
}
