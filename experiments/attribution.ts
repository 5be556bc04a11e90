/**
 * Attribution: which users each experiment exposed, in which variation, and which of their later
 * actions count as conversions. The user is the unit: a user belongs to the variation of their first
 * exposure to the experiment, and only conversions at or after that moment count.
 *
 * A conversion is
 * - a posted `experimentConversions` record for the experiment's metric, or
 * - an event whose type a metric declares (`eventType`) and that the experiment caused: its
 *   `recommendationId` is one of the experiment's responses, or its `itemId` was in a response of the
 *   experiment to the same user; either way at most `windowHours` after that response.
 * Events of a metric's type that no experiment of the namespace caused, and posted conversions of a
 * user the experiment never exposed (or from before the first exposure), are counted apart as
 * unattributed, never in a variation. The same counts come out of the Athena SQL (athena-sql.ts).
 */

import { type ExperimentPlan, experimentKey, type MetricPlan } from './plan.ts';
import type { ConversionIn, EventIn, ExposureIn, RecordIn } from './records.ts';

export interface MetricCounts {
  /** Users with at least one conversion (the rate's numerator). */
  convertedUsers: number;
  conversions: number;
  valueSum: number;
}

export interface VariationAggregate {
  variation: string;
  exposedUsers: number;
  /** Epoch ms of the variation's earliest first exposure. */
  firstExposureAt?: number;
  metrics: Record<string, MetricCounts>;
}

/** Cumulative users exposed and converted up to `at`, per variation. */
export interface SeriesPoint {
  at: number;
  exposed: number[];
  converted: number[];
}

export interface ExperimentAggregate {
  plan: ExperimentPlan;
  variations: VariationAggregate[];
  /** Metric names in report order: configured ones, then any only posted conversions name. */
  metrics: string[];
  unattributed: Record<string, { conversions: number; valueSum: number }>;
  /** Exposures naming a variation the recommender does not have (left out). */
  unknownVariationExposures: number;
  /** Per metric: the cumulative conversion rate's data over time. */
  series: Record<string, SeriesPoint[]>;
}

interface Conversion {
  userId: string;
  at: number;
  value: number;
}

interface ExperimentState {
  plan: ExperimentPlan;
  first: Map<string, { variation: string; at: number }>;
  byRecommendation: Map<string, ExposureIn[]>;
  byUser: Map<string, ExposureIn[]>;
  conversions: Map<string, Conversion[]>;
  unattributed: Map<string, { conversions: number; valueSum: number }>;
  unknownVariationExposures: number;
}

const SERIES_POINTS = 48;

function metricValue(metric: MetricPlan, event: EventIn): number {
  return metric.value === 'eventValue' ? (event.eventValue ?? 0) : metric.value;
}

function addUnattributed(state: ExperimentState, metric: string, value: number): void {
  const u = state.unattributed.get(metric) ?? { conversions: 0, valueSum: 0 };
  u.conversions += 1;
  u.valueSum += value;
  state.unattributed.set(metric, u);
}

/**
 * The user whose exposure to `state`'s experiment caused `event`, if any: among the experiment's
 * responses with the event's recommendationId, or to the event's user listing its item, within the
 * metric's window. Should several users qualify, the least user ID wins (as in the SQL).
 */
function causingUser(state: ExperimentState, event: EventIn, metric: MetricPlan): string | undefined {
  const inWindow = (e: ExposureIn) => event.at >= e.at && event.at - e.at <= metric.windowMs;
  const candidates = [
    ...(event.recommendationId === undefined ? [] : (state.byRecommendation.get(event.recommendationId) ?? [])),
    ...(event.userId === undefined || event.itemId === undefined
      ? []
      : (state.byUser.get(event.userId) ?? []).filter((e) => e.itemIds?.includes(event.itemId!))),
  ];
  let user: string | undefined;
  for (const e of candidates) if (inWindow(e) && (user === undefined || e.userId < user)) user = e.userId;
  return user;
}

function cumulativeSeries(state: ExperimentState, conversions: Conversion[]): SeriesPoint[] {
  const { variations } = state.plan;
  const firsts = [...state.first.values()];
  if (firsts.length === 0) return [];
  const firstConversion = new Map<string, number>();
  for (const c of conversions) {
    const seen = firstConversion.get(c.userId);
    if (seen === undefined || c.at < seen) firstConversion.set(c.userId, c.at);
  }
  const start = Math.min(...firsts.map((f) => f.at));
  const end = Math.max(start, ...firsts.map((f) => f.at), ...firstConversion.values());
  const steps = end === start ? 1 : SERIES_POINTS;
  const points: SeriesPoint[] = [];
  for (let i = 1; i <= steps; i++) {
    const at = start + ((end - start) * i) / steps;
    const exposed = variations.map(() => 0);
    const converted = variations.map(() => 0);
    for (const [userId, f] of state.first) {
      if (f.at > at) continue;
      const v = variations.indexOf(f.variation);
      exposed[v]! += 1;
      const c = firstConversion.get(userId);
      if (c !== undefined && c <= at) converted[v]! += 1;
    }
    points.push({ at, exposed, converted });
  }
  return points;
}

/**
 * @example
 * const aggregates = attribute(experimentPlans(resolved), records);
 * aggregates[0].variations[1].metrics.purchase; // → { convertedUsers: 118, conversions: 131, valueSum: 5230.5 }
 */
export function attribute(plans: readonly ExperimentPlan[], records: readonly RecordIn[]): ExperimentAggregate[] {
  const states = new Map<string, ExperimentState>();
  for (const plan of plans) {
    states.set(experimentKey(plan), {
      plan,
      first: new Map(),
      byRecommendation: new Map(),
      byUser: new Map(),
      conversions: new Map(plan.metrics.map((m) => [m.name, []])),
      unattributed: new Map(),
      unknownVariationExposures: 0,
    });
  }
  const exposures = records.filter((r): r is ExposureIn => r.kind === 'exposure').sort((a, b) => a.at - b.at);
  for (const exposure of exposures) {
    const state = states.get(experimentKey(exposure));
    if (!state) continue;
    if (!state.plan.variations.includes(exposure.variation)) {
      state.unknownVariationExposures += 1;
      continue;
    }
    if (!state.first.has(exposure.userId)) {
      state.first.set(exposure.userId, { variation: exposure.variation, at: exposure.at });
    }
    if (exposure.recommendationId !== undefined) {
      const same = state.byRecommendation.get(exposure.recommendationId) ?? [];
      same.push(exposure);
      state.byRecommendation.set(exposure.recommendationId, same);
    }
    const list = state.byUser.get(exposure.userId) ?? [];
    list.push(exposure);
    state.byUser.set(exposure.userId, list);
  }

  const byNamespace = new Map<string, ExperimentState[]>();
  for (const state of states.values()) {
    byNamespace.set(state.plan.namespace, [...(byNamespace.get(state.plan.namespace) ?? []), state]);
  }
  for (const record of records) {
    if (record.kind === 'event') attributeEvent(byNamespace.get(record.namespace) ?? [], record);
    else if (record.kind === 'conversion') attributeConversion(states.get(experimentKey(record)), record);
  }
  return [...states.values()].map(summarise);
}

function attributeEvent(states: readonly ExperimentState[], event: EventIn): void {
  const matching = states.flatMap((state) =>
    state.plan.metrics.filter((m) => m.eventType === event.eventType).map((metric) => ({ state, metric })),
  );
  let attributed = false;
  for (const { state, metric } of matching) {
    const userId = causingUser(state, event, metric);
    if (userId === undefined) continue;
    attributed = true;
    state.conversions.get(metric.name)!.push({ userId, at: event.at, value: metricValue(metric, event) });
  }
  if (!attributed) {
    for (const { state, metric } of matching) addUnattributed(state, metric.name, metricValue(metric, event));
  }
}

function attributeConversion(state: ExperimentState | undefined, conversion: ConversionIn): void {
  if (!state) return;
  const first = state.first.get(conversion.userId);
  if (!first || conversion.at < first.at) {
    addUnattributed(state, conversion.metric, conversion.value);
    return;
  }
  const list = state.conversions.get(conversion.metric) ?? [];
  list.push({ userId: conversion.userId, at: conversion.at, value: conversion.value });
  state.conversions.set(conversion.metric, list);
}

function summarise(state: ExperimentState): ExperimentAggregate {
  const { plan } = state;
  const variations: VariationAggregate[] = plan.variations.map((variation) => ({
    variation,
    exposedUsers: 0,
    metrics: {},
  }));
  for (const { variation, at } of state.first.values()) {
    const v = variations[plan.variations.indexOf(variation)]!;
    v.exposedUsers += 1;
    v.firstExposureAt = Math.min(v.firstExposureAt ?? at, at);
  }
  const metrics = [
    ...new Set([...plan.metrics.map((m) => m.name), ...state.conversions.keys(), ...state.unattributed.keys()]),
  ];
  const series: Record<string, SeriesPoint[]> = {};
  for (const metric of metrics) {
    const conversions = state.conversions.get(metric) ?? [];
    const users = variations.map(() => new Set<string>());
    for (const v of variations) v.metrics[metric] = { convertedUsers: 0, conversions: 0, valueSum: 0 };
    for (const c of conversions) {
      const index = plan.variations.indexOf(state.first.get(c.userId)!.variation);
      const counts = variations[index]!.metrics[metric]!;
      counts.conversions += 1;
      counts.valueSum += c.value;
      users[index]!.add(c.userId);
    }
    users.forEach((set, i) => {
      variations[i]!.metrics[metric]!.convertedUsers = set.size;
    });
    series[metric] = cumulativeSeries(state, conversions);
  }
  return {
    plan,
    variations,
    metrics,
    unattributed: Object.fromEntries(
      metrics.map((m) => [m, state.unattributed.get(m) ?? { conversions: 0, valueSum: 0 }]),
    ),
    unknownVariationExposures: state.unknownVariationExposures,
    series,
  };
}
