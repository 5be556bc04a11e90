/**
 * The `evidently` experiment method, kept so old configurations keep working although the AWS service
 * was discontinued in 2025. EvaluateFeature picks the variation; its value maps to a variation of the
 * recommender (a string value is a variation key, a number is an index into the variations in
 * configuration order). Any Evidently failure serves the first variation instead, so an experiment can
 * never take recommendations down. Exposures and conversions go to PutProjectEvents as custom events
 * shaped by the metric's `entityIdKey` and `valueKey` (exposures carry 0 and conversions their value,
 * which makes the metric's mean a conversion rate).
 */
import {
  EvaluateFeatureCommand,
  type EvaluateFeatureResponse,
  type EvidentlyClient,
  PutProjectEventsCommand,
} from '@aws-sdk/client-evidently';
import type { EvidentlyExperimentConfig } from '../../schema/config-schema.ts';
import { describeError, type Logger } from '../../shared/logger.ts';
import { beforeDeadline, type Deadline, NO_DEADLINE } from '../deadline.ts';

/**
 * EvaluateFeature's own limit: assignment is a small part of a request, so a slow Evidently costs at
 * most this much before the first variation serves, leaving the origin the rest of the budget.
 */
export const EVALUATE_TIMEOUT_MS = 1000;

export interface EvidentlyAssignment {
  variationKey: string;
  /** False when Evidently failed or answered a value no variation matches: the first variation serves. */
  assigned: boolean;
  /**
   * True only when Evidently's reason is an experiment rule match: a launch, an override or the
   * default value serves a variation without making the user part of the experiment.
   */
  experimentMatch: boolean;
  /** Evidently's `details` (the experiment and treatment), parsed, when it sent them. */
  details?: unknown;
}

const EXPERIMENT_MATCH = 'EXPERIMENT_RULE_MATCH';

function parseDetails(details: string | undefined): unknown {
  if (!details) return undefined;
  try {
    return JSON.parse(details);
  } catch {
    return undefined;
  }
}

/** Maps an EvaluateFeature answer to a variation key, or undefined when nothing matches. */
export function variationForValue(
  response: Pick<EvaluateFeatureResponse, 'value'>,
  variationKeys: readonly string[],
): string | undefined {
  const value = response.value;
  if (value?.stringValue !== undefined)
    return variationKeys.includes(value.stringValue) ? value.stringValue : undefined;
  const index = value?.longValue ?? value?.doubleValue;
  if (index !== undefined && Number.isInteger(index) && index >= 0) return variationKeys[index];
  return undefined;
}

/**
 * Asks Evidently which variation `userId` gets. Never throws: on any error, or a value that names no
 * variation, the first variation serves and the reason is logged.
 *
 * @example
 * const { variationKey } = await evaluateWithEvidently(client, logger, {
 *   project: 'my-store', feature: 'product-detail-view', userId: '12', variationKeys: ['sims', 'similar-items'],
 * });
 */
export async function evaluateWithEvidently(
  client: EvidentlyClient,
  logger: Logger,
  request: {
    project: string;
    feature: string;
    userId: string;
    variationKeys: readonly string[];
    /** The request's deadline; the call also gives up after EVALUATE_TIMEOUT_MS. */
    deadline?: Deadline;
  },
): Promise<EvidentlyAssignment> {
  const first = request.variationKeys[0] ?? '';
  const where = { project: request.project, feature: request.feature };
  let response: EvaluateFeatureResponse;
  try {
    response = await beforeDeadline(
      request.deadline ?? NO_DEADLINE,
      'Evidently EvaluateFeature',
      (abortSignal) =>
        client.send(
          new EvaluateFeatureCommand({ project: request.project, feature: request.feature, entityId: request.userId }),
          { abortSignal },
        ),
      EVALUATE_TIMEOUT_MS,
    );
  } catch (err) {
    logger.warn('Evidently EvaluateFeature failed; serving the first variation', {
      ...where,
      error: describeError(err),
    });
    return { variationKey: first, assigned: false, experimentMatch: false };
  }
  const key = variationForValue(response, request.variationKeys);
  if (key === undefined) {
    logger.warn('Evidently answered a value that names no variation; serving the first variation', {
      ...where,
      value: response.value,
    });
    return { variationKey: first, assigned: false, experimentMatch: false };
  }
  const details = parseDetails(response.details);
  return {
    variationKey: key,
    assigned: true,
    experimentMatch: response.reason === EXPERIMENT_MATCH,
    ...(details === undefined ? {} : { details }),
  };
}

/** Builds `{a: {b: value}}` from the dotted path `a.b`, merging into `target`. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node[part] = typeof next === 'object' && next !== null ? next : {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** The `data` of an Evidently custom event for `metric`: the user under entityIdKey, the value under valueKey. */
export function metricEventData(
  metric: { entityIdKey: string; valueKey: string },
  userId: string,
  value: number,
): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  setPath(data, metric.entityIdKey, userId);
  setPath(data, metric.valueKey, value);
  return data;
}

/**
 * Sends custom metric events to the project. Throws when the call fails or Evidently rejects any event,
 * so callers decide whether that is reported (conversions) or logged (exposures).
 *
 * @example
 * await putMetricEvents(client, 'my-store', [{ metric, userId: '12', value: 1, timestamp: new Date() }]);
 */
export async function putMetricEvents(
  client: EvidentlyClient,
  project: string,
  events: Array<{ metric: { entityIdKey: string; valueKey: string }; userId: string; value: number; timestamp: Date }>,
  abortSignal?: AbortSignal,
): Promise<void> {
  if (events.length === 0) return;
  const response = await client.send(
    new PutProjectEventsCommand({
      project,
      events: events.map((e) => ({
        timestamp: e.timestamp,
        type: 'aws.evidently.custom',
        data: JSON.stringify(metricEventData(e.metric, e.userId, e.value)),
      })),
    }),
    { abortSignal },
  );
  if (response.failedEventCount) {
    const reasons = (response.eventResults ?? [])
      .filter((r) => r.errorCode)
      .map((r) => `${r.errorCode}: ${r.errorMessage ?? ''}`.trim());
    throw new Error(`Evidently rejected ${response.failedEventCount} event(s): ${reasons.join('; ')}`);
  }
}

/**
 * Exposure events for the metrics of `experiment` that track exposures (value 0 for `userId`);
 * `trackExposures` defaults to true, as in the old service.
 *
 * @example
 * await putExposures(client, experiment, '12', new Date());
 */
export async function putExposures(
  client: EvidentlyClient,
  experiment: EvidentlyExperimentConfig,
  userId: string,
  timestamp: Date,
  abortSignal?: AbortSignal,
): Promise<void> {
  const tracked = Object.values(experiment.metrics).filter((m) => m.trackExposures !== false);
  await putMetricEvents(
    client,
    experiment.project,
    tracked.map((metric) => ({ metric, userId, value: 0, timestamp })),
    abortSignal,
  );
}
