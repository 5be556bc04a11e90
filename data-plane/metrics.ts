/**
 * The metrics contract of the data plane: Powertools Metrics (CloudWatch EMF) on Lambda, nothing in
 * `p13n serve` unless a caller passes a recorder.
 */

import type { MetricName } from '../contracts/metrics.ts';

export type MetricUnit = 'Count' | 'Milliseconds';

export interface Metrics {
  /** `dimensions` split the metric (e.g. per event target); without them it has the service's only. */
  add(name: MetricName, unit: MetricUnit, value: number, dimensions?: Readonly<Record<string, string>>): void;
}

export const noMetrics: Metrics = { add() {} };
