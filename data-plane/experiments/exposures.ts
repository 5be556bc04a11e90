/**
 * Exposure recording: every response an experiment served becomes an exposure record for the
 * namespace's event targets and, for `evidently` experiments, exposure events for Evidently. Both go
 * out in the background so they never delay the response; failures are logged (the fan-out logs each
 * failed target), never thrown at the client.
 */
import type { EvidentlyClient } from '@aws-sdk/client-evidently';
import type { ResolvedNamespace, ResolvedRecommender } from '../../schema/resolve-config.ts';
import type { Logger } from '../../shared/logger.ts';
import type { BackgroundTasks } from '../events/background.ts';
import { type FanOutOptions, fanOut } from '../events/fan-out.ts';
import type { TargetsFor } from '../events/namespace-targets.ts';
import type { ExposureRecord } from '../events/records.ts';
import type { Metrics } from '../metrics.ts';
import type { MatchedExperiment } from '../pipeline/choose-variation.ts';
import { evidentlyModule } from './evidently-module.ts';

export interface ExposureDeps {
  targetsFor: TargetsFor;
  evidently: () => Promise<EvidentlyClient>;
  background: BackgroundTasks;
  logger: Logger;
  retry?: Omit<FanOutOptions, 'logger' | 'metrics'>;
  metrics?: Metrics;
}

/** A response an experiment served. */
export interface ServedExposure {
  namespace: ResolvedNamespace;
  recommender: ResolvedRecommender;
  matched: MatchedExperiment;
  userId: string;
  /** The response's ID, which events carry back (Personalize's `recommendationId` event field). */
  recommendationId: string;
  /** The items the response listed, in order: events on them within a metric's window are attributed. */
  itemIds: string[];
}

/**
 * @example
 * if (choice.matchedExperiment) recordExposure(deps, { namespace, recommender, matched: choice.matchedExperiment, userId, recommendationId, itemIds }, now);
 */
export function recordExposure(deps: ExposureDeps, exposure: ServedExposure, now: Date): void {
  const { namespace, recommender, matched, userId, recommendationId, itemIds } = exposure;
  const record: ExposureRecord = {
    kind: 'exposure',
    namespace: namespace.key,
    action: recommender.action,
    recommender: recommender.key,
    feature: matched.feature,
    variation: matched.variation,
    method: matched.method,
    userId,
    recommendationId,
    itemIds,
    timestamp: now.toISOString(),
  };
  const targets = deps.targetsFor(namespace);
  if (targets.length > 0) {
    deps.background.run('exposure delivery', (signal) =>
      fanOut(
        targets,
        { namespace: namespace.key, partitionKey: userId, records: [record] },
        Object.assign({}, deps.retry, { logger: deps.logger, metrics: deps.metrics, signal }),
      ),
    );
  }
  const experiment = recommender.experiments.get(matched.feature);
  if (experiment?.method === 'evidently') {
    deps.background.run('Evidently exposure', async (signal) => {
      const { putExposures } = evidentlyModule.current ?? (await evidentlyModule.load());
      return putExposures(await deps.evidently(), experiment, userId, now, signal);
    });
  }
}
