/**
 * The data plane's CloudWatch metrics (EMF through Powertools on Lambda): the namespace, the service
 * dimension and every metric name, so the code that emits them and the dashboard the CDK app draws
 * agree. `Metrics.add` only takes these names.
 */
export const METRICS_NAMESPACE = 'PersonalizationApis';
/** Powertools' `service` dimension of every data-plane metric. */
export const DATA_PLANE_SERVICE = 'personalization-apis-data-plane';

export const DATA_PLANE_METRICS = {
  /** Responses by class. */
  requests: ['Response', 'ClientErrorResponse', 'ServerErrorResponse'],
  /** The in-process response cache. */
  cache: ['CacheHit', 'CacheMiss', 'CacheStaleServed'],
  /** Recommender calls: failures, throttling, fallbacks and circuit breakers. */
  origins: ['OriginError', 'OriginThrottled', 'OriginFallback', 'CircuitOpened', 'CircuitShortCircuit'],
  /** Milliseconds per recommender call. */
  latency: ['OriginLatency'],
  /** Per event target (dimension `target`, e.g. `kinesis-stream:clicks`). */
  eventTargets: ['EventTargetDelivered', 'EventTargetRetried', 'EventTargetFailed'],
  /** Configurations refused (the last good one kept serving) and background work dropped or abandoned at its bound. */
  lifecycle: ['ConfigurationRefused', 'BackgroundTaskDropped', 'BackgroundTaskAbandoned'],
  /** Milliseconds to prepare a new configuration (stores synced, models trained). */
  preparation: ['ConfigurationPrepareTime'],
} as const;

export type MetricName = (typeof DATA_PLANE_METRICS)[keyof typeof DATA_PLANE_METRICS][number];

/** Powertools' cold-start metric (dimensions `service` and `function_name`). */
export const COLD_START_METRIC = 'ColdStart';
