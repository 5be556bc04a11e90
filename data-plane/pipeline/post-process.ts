/**
 * Step 9: the recommender's `responsePostProcessor`, a Lambda function that gets the request (payload
 * version 1.0, like custom origins) plus the response so far under `response`, and answers the new
 * `{itemList}` or `{personalizedRanking}`. Its failures are origin failures (429/502/504).
 */
import type { ResponsePostProcessorConfig } from '../../schema/config-schema.ts';
import { type Deadline, NO_DEADLINE } from '../deadline.ts';
import { originPayload, parseOriginResult } from '../origins/payload.ts';
import type { OriginRequest, OriginResult } from '../origins/types.ts';
import { DEFAULT_ORIGIN_TIMEOUT_MS, withTimeout } from './call-origin.ts';

/** Invokes a function with a JSON payload and returns its parsed JSON answer (origins/default-resolvers.ts's functionInvoker). */
export type InvokeFunction = (functionArn: string, payload: unknown, signal: AbortSignal) => Promise<unknown>;

export const listKey = (action: OriginRequest['action']) =>
  action === 'rerank-items' ? 'personalizedRanking' : 'itemList';

/**
 * @example
 * const processed = await postProcess(functionInvoker(clients), recommender.responsePostProcessor, request, result);
 */
export async function postProcess(
  invoke: InvokeFunction,
  processor: ResponsePostProcessorConfig,
  request: Omit<OriginRequest, 'signal'>,
  result: OriginResult,
  deadline: Deadline = NO_DEADLINE,
  timeoutMs = DEFAULT_ORIGIN_TIMEOUT_MS,
): Promise<OriginResult> {
  const origin = `responsePostProcessor ${processor.arn}`;
  const payload = {
    ...originPayload(request),
    response: {
      [listKey(request.action)]: result.items,
      ...(result.recommendationId ? { recommendationId: result.recommendationId } : {}),
    },
  };
  const json = await withTimeout((signal) => invoke(processor.arn, payload, signal), timeoutMs, origin, deadline);
  const processed = parseOriginResult(json, origin);
  return processed.recommendationId || !result.recommendationId
    ? processed
    : { ...processed, recommendationId: result.recommendationId };
}
