/**
 * The metrics contract of the data plane: Powertools Metrics (CloudWatch EMF) on Lambda, nothing in
 * `p13n serve` unless a caller passes a recorder.
 */

export type MetricUnit = 'Count' | 'Milliseconds';

export interface Metrics {
  add(name: string, unit: MetricUnit, value: number): void;
}

export const noMetrics: Metrics = { add() {} };
