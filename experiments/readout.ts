/**
 * The readout of an experiment from its aggregates: per variation and metric the conversion rate with
 * its Wilson interval, the mean value per exposed user, and against the control (the first variation)
 * the difference and relative lift with intervals and a two-sided p-value; per experiment the
 * sample-ratio-mismatch test and whether the minimum sample is reached. An experiment with no exposed
 * users says so and computes nothing (no division by zero). The file report, `GET /experiments/{ns}`,
 * the dashboard and the Athena report all print this one shape.
 */
import type { ExperimentAggregate, SeriesPoint } from './attribution.ts';
import type { ExperimentPlan } from './plan.ts';
import type { MalformedLine } from './records.ts';
import {
  chiSquareGoodnessOfFit,
  differenceInterval,
  type Interval,
  relativeLiftInterval,
  twoProportionP,
  wilsonInterval,
} from './statistics.ts';

/** Below this p-value the split of users differs from the weights: the comparison is not trustworthy. */
export const SRM_THRESHOLD = 0.001;

export interface MetricReadout {
  convertedUsers: number;
  conversions: number;
  /** convertedUsers / exposedUsers; null with no exposed users. */
  rate: number | null;
  rateInterval: Interval | null;
  /** Sum of conversion values / exposed users. */
  meanValue: number | null;
  /** Absent for the control. */
  versusControl?: {
    difference: number | null;
    differenceInterval: Interval | null;
    /** rate / control rate − 1; null when the control rate is 0. */
    lift: number | null;
    liftInterval: Interval | null;
    pValue: number | null;
  };
}

export interface VariationReadout {
  variation: string;
  control: boolean;
  /** Configured weight (hash experiments). */
  weight?: number;
  exposedUsers: number;
  /** ISO-8601. */
  firstExposure: string | null;
  metrics: Record<string, MetricReadout>;
}

export interface ExperimentReadout {
  namespace: string;
  action: string;
  recommender: string;
  feature: string;
  method: ExperimentPlan['method'];
  description?: string;
  exposedUsers: number;
  /** Set when there is nothing to compute yet. */
  note?: string;
  metrics: string[];
  variations: VariationReadout[];
  unattributed: Record<string, { conversions: number; valueSum: number }>;
  sampleRatio: { chiSquare: number; dof: number; pValue: number; mismatch: boolean } | null;
  minimumSample: { perVariation: number; reached: boolean } | null;
  /** Per metric: cumulative conversion rate per variation over time (file readouts only). */
  series?: Record<string, Array<{ at: string; rates: Array<number | null> }>>;
}

export interface Readout {
  generatedAt: string;
  source: string;
  experiments: ExperimentReadout[];
  /** Lines left out of the readout, by number and reason. */
  malformed: MalformedLine[];
  malformedCount: number;
  /** Exposures of experiments, or variations, the configuration does not have. */
  notes: string[];
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

function seriesRates(points: SeriesPoint[]): Array<{ at: string; rates: Array<number | null> }> {
  return points.map((p) => ({
    at: new Date(p.at).toISOString(),
    rates: p.exposed.map((n, i) => ratio(p.converted[i]!, n)),
  }));
}

/**
 * @example
 * const readout = experimentReadout(attribute(plans, records)[0]);
 * readout.variations[1].metrics.purchase.versusControl.pValue; // → 0.0132…
 */
export function experimentReadout(
  aggregate: ExperimentAggregate,
  options: { series?: boolean } = {},
): ExperimentReadout {
  const { plan } = aggregate;
  const exposedUsers = aggregate.variations.reduce((sum, v) => sum + v.exposedUsers, 0);
  const control = aggregate.variations[0];
  const variations = aggregate.variations.map((v, index): VariationReadout => {
    const metrics: Record<string, MetricReadout> = {};
    for (const name of aggregate.metrics) {
      const counts = v.metrics[name] ?? { convertedUsers: 0, conversions: 0, valueSum: 0 };
      const x = counts.convertedUsers;
      const n = v.exposedUsers;
      const readout: MetricReadout = {
        convertedUsers: x,
        conversions: counts.conversions,
        rate: ratio(x, n),
        rateInterval: wilsonInterval(x, n) ?? null,
        meanValue: ratio(counts.valueSum, n),
      };
      if (index > 0 && control) {
        const cx = control.metrics[name]?.convertedUsers ?? 0;
        const cn = control.exposedUsers;
        const rate = ratio(x, n);
        const controlRate = ratio(cx, cn);
        readout.versusControl = {
          difference: rate !== null && controlRate !== null ? rate - controlRate : null,
          differenceInterval: differenceInterval(x, n, cx, cn) ?? null,
          lift: rate !== null && controlRate ? rate / controlRate - 1 : null,
          liftInterval: relativeLiftInterval(x, n, cx, cn) ?? null,
          pValue: twoProportionP(x, n, cx, cn) ?? null,
        };
      }
      metrics[name] = readout;
    }
    return {
      variation: v.variation,
      control: index === 0,
      ...(plan.weights ? { weight: plan.weights[index]! } : {}),
      exposedUsers: v.exposedUsers,
      firstExposure: v.firstExposureAt === undefined ? null : new Date(v.firstExposureAt).toISOString(),
      metrics,
    };
  });
  const srm = plan.weights
    ? chiSquareGoodnessOfFit(
        aggregate.variations.map((v) => v.exposedUsers),
        plan.weights,
      )
    : undefined;
  return {
    namespace: plan.namespace,
    action: plan.action,
    recommender: plan.recommender,
    feature: plan.feature,
    method: plan.method,
    ...(plan.description === undefined ? {} : { description: plan.description }),
    exposedUsers,
    ...(exposedUsers === 0 ? { note: 'no exposures yet: nothing to compare' } : {}),
    metrics: aggregate.metrics,
    variations,
    unattributed: aggregate.unattributed,
    sampleRatio: srm
      ? { chiSquare: srm.chiSquare, dof: srm.dof, pValue: srm.p, mismatch: srm.p < SRM_THRESHOLD }
      : null,
    minimumSample:
      plan.minimumSample === undefined
        ? null
        : {
            perVariation: plan.minimumSample,
            reached: aggregate.variations.every(
              (v, i) => (plan.weights?.[i] ?? 1) === 0 || v.exposedUsers >= plan.minimumSample!,
            ),
          },
    ...(options.series
      ? { series: Object.fromEntries(Object.entries(aggregate.series).map(([m, points]) => [m, seriesRates(points)])) }
      : {}),
  };
}

/** Notes about records the configuration does not account for. */
export function aggregateNotes(aggregates: readonly ExperimentAggregate[]): string[] {
  return aggregates
    .filter((a) => a.unknownVariationExposures > 0)
    .map(
      (a) =>
        `${a.plan.namespace}/${a.plan.recommender}/${a.plan.feature}: ${a.unknownVariationExposures} exposure(s) name a variation the recommender does not have; left out`,
    );
}
