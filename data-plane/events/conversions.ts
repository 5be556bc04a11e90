/**
 * Experiment conversions posted with events: checked against the namespace's configuration and turned
 * into conversion records (for every target) and Evidently metric events (for `evidently` experiments).
 * The rules: the recommender exists in the namespace (under any action) and has experiments; `feature`
 * is required when it has several and must name one of them; the metric must be one of the experiment's
 * metrics (always for `evidently`; for `hash` when the experiment lists metrics). For `hash` the record
 * also carries the user's variation, which the bucketing recomputes without any state.
 */
import type { EvidentlyExperimentConfig } from '../../schema/config-schema.ts';
import { ACTIONS } from '../../schema/config-schema.ts';
import type { ResolvedNamespace, ResolvedRecommender } from '../../schema/resolve-config.ts';
import { BadRequestError } from '../errors.ts';
import { findExperiment } from '../experiments/find-experiment.ts';
import { assignByHash } from '../experiments/hash-bucketing.ts';
import type { ParsedConversion } from './body.ts';
import type { ConversionRecord } from './records.ts';

/** One Evidently metric event a conversion produces. */
export interface EvidentlyConversion {
  project: string;
  metric: EvidentlyExperimentConfig['metrics'][string];
  userId: string;
  value: number;
  timestamp: Date;
  /** The conversion record it comes with (delivered to the project only while that record is). */
  record: ConversionRecord;
}

export interface ResolvedConversions {
  records: ConversionRecord[];
  evidently: EvidentlyConversion[];
}

function recommenderWithExperiments(namespace: ResolvedNamespace, key: string): ResolvedRecommender | undefined {
  let found: ResolvedRecommender | undefined;
  for (const action of ACTIONS) {
    const rec = namespace.recommenders[action].get(key);
    if (rec && rec.experiments.size > 0) return rec;
    found ??= rec;
  }
  return found;
}

const invalid = (index: number, field: string, message: string) =>
  new BadRequestError('InvalidConversion', `experimentConversions[${index}].${field}: ${message}`);

/**
 * @example
 * resolveConversions(namespace, 'u1', [{ recommender: 'rfy', metric: 'clicks', value: 1 }], new Date());
 * // → { records: [{ kind: 'conversion', recommender: 'rfy', feature: 'home', variation: 'b', … }], evidently: [] }
 */
export function resolveConversions(
  namespace: ResolvedNamespace,
  userId: string,
  conversions: readonly ParsedConversion[],
  now: Date,
): ResolvedConversions {
  const out: ResolvedConversions = { records: [], evidently: [] };
  conversions.forEach((conversion, i) => {
    const recommender = recommenderWithExperiments(namespace, conversion.recommender);
    if (!recommender) {
      throw invalid(i, 'recommender', `namespace '${namespace.key}' has no recommender '${conversion.recommender}'`);
    }
    if (recommender.experiments.size === 0) {
      throw invalid(i, 'recommender', `recommender '${recommender.key}' has no experiments`);
    }
    if (conversion.feature === undefined && recommender.experiments.size > 1) {
      const features = [...recommender.experiments.keys()].join(', ');
      throw invalid(
        i,
        'feature',
        `is required: recommender '${recommender.key}' has several experiments (${features})`,
      );
    }
    const found = findExperiment(recommender, conversion.feature);
    if (!found) {
      throw invalid(i, 'feature', `recommender '${recommender.key}' has no experiment '${conversion.feature}'`);
    }
    const { feature, experiment } = found;
    const metrics = experiment.metrics;
    if (metrics && !Object.hasOwn(metrics, conversion.metric)) {
      const known = Object.keys(metrics).join(', ') || 'none';
      throw invalid(i, 'metric', `experiment '${feature}' has no metric '${conversion.metric}' (it has: ${known})`);
    }
    const variation =
      experiment.method === 'hash' && recommender.variations.size > 1
        ? assignByHash(feature, experiment, recommender.variations.keys(), userId)
        : undefined;
    const record: ConversionRecord = {
      kind: 'conversion',
      namespace: namespace.key,
      action: recommender.action,
      recommender: recommender.key,
      feature,
      ...(variation === undefined ? {} : { variation }),
      method: experiment.method,
      metric: conversion.metric,
      value: conversion.value,
      userId,
      timestamp: now.toISOString(),
    };
    out.records.push(record);
    if (experiment.method === 'evidently') {
      out.evidently.push({
        project: experiment.project,
        metric: experiment.metrics[conversion.metric]!,
        userId,
        value: conversion.value,
        timestamp: now,
        record,
      });
    }
  });
  return out;
}
