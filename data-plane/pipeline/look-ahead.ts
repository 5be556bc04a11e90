/**
 * Step 6: when a response post-processor may drop items, ask the origin for more than the client wants
 * (numResults × lookAheadMultiplier), capped by `lookAheadMaximumValue` and by Personalize's 500.
 */
import type { ResponsePostProcessorConfig } from '../../schema/config-schema.ts';
import type { VariationType } from '../../schema/resolve-config.ts';

const PERSONALIZE_MAX = 500;

/**
 * @example
 * originNumResults(10, { type: 'function', arn, lookAheadMultiplier: 3 }, 'personalize-campaign') // → 30
 */
export function originNumResults(
  numResults: number,
  postProcessor: ResponsePostProcessorConfig | undefined,
  variationType: VariationType,
): number {
  if (!postProcessor?.lookAheadMultiplier) return numResults;
  let n = Math.ceil(numResults * postProcessor.lookAheadMultiplier);
  if (postProcessor.lookAheadMaximumValue !== undefined) n = Math.min(n, postProcessor.lookAheadMaximumValue);
  if (variationType.startsWith('personalize-')) n = Math.min(n, PERSONALIZE_MAX);
  return Math.max(n, numResults);
}
