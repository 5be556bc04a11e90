/**
 * The inference pipeline as one function from a parsed request to a serialised response. Keeping the
 * body a string is deliberate: a response cache can wrap this function and store bytes, and the HTTP
 * layer only copies them out. Steps, in order: conditional request, recommender lookup, query, variation,
 * context, filter, look-ahead, origin, decoration, post-processing, trim, headers.
 */
import { type Action, MAX_NUM_RESULTS } from '../../schema/config-schema.ts';
import type { ResolvedConfig, ResolvedVariation } from '../../schema/resolve-config.ts';
import { describeError, type Logger } from '../../shared/logger.ts';
import { type Deadline, NO_DEADLINE } from '../deadline.ts';
import { NotFoundError, OriginThrottledError } from '../errors.ts';
import type { ServedExposure } from '../experiments/exposures.ts';
import { type RecommendationIdFactory, recommendationIdFactory } from '../experiments/recommendation-id.ts';
import type { ItemMetadataStores } from '../item-metadata/types.ts';
import type { Metrics } from '../metrics.ts';
import type { OriginRequest, OriginResolvers, OriginResult } from '../origins/types.ts';
import { callWithFallback } from '../resilience/call-with-fallback.ts';
import type { CircuitBreakers } from '../resilience/circuit-breaker.ts';
import { type AutoContextInput, evaluateAutoContext, type HeaderLookup } from './auto-context.ts';
import { inferenceBodyJson } from './body-json.ts';
import { cacheControlFor, cacheControlHeader } from './cache-control.ts';
import { originLabel } from './call-origin.ts';
import { chooseVariation, type ExperimentDeps } from './choose-variation.ts';
import { decorateItems } from './decorate.ts';
import { etagScope, freshEtag, makeEtag } from './etag.ts';
import { chooseFilter } from './filters.ts';
import { originNumResults } from './look-ahead.ts';
import { type InvokeFunction, listKey, postProcess } from './post-process.ts';
import { parseInferenceQuery } from './query.ts';

export interface InferenceRequest {
  action: Action;
  method: 'GET' | 'POST';
  namespace: string;
  recommender: string;
  /** From the path: recommend-items and rerank-items. */
  userId?: string;
  /** From the path: related-items. */
  itemId?: string;
  /** rerank-items, from the path (GET) or the body (POST). */
  itemList?: string[];
  /** First value of each query parameter. */
  query: Record<string, string | undefined>;
  headers: HeaderLookup;
  /** The request's one deadline (none: wait as long as each step's own timeout allows). */
  deadline?: Deadline;
}

/** Names the variation that failed and the fallback that answered instead: `{from}->{to}`. */
export const FALLBACK_HEADER = 'X-Personalization-Fallback';
/** The variation that answered (after any fallback), for logs, traces and debugging. */
export const VARIATION_HEADER = 'X-Personalization-Variation';
/** The response's `recommendationId`, which events may carry back for attribution. */
export const RECOMMENDATION_ID_HEADER = 'X-Personalization-Recommendation-Id';

/**
 * `not-ready` on an answer whose items could not be decorated because the item-metadata store has
 * nothing to answer from yet (an S3-synced localdb before its first download). Such answers are sent
 * `Cache-Control: no-store` without an ETag, so no cache keeps them.
 */
export const ITEM_METADATA_HEADER = 'X-Personalization-Item-Metadata';

export interface InferenceResponse {
  status: 200 | 304;
  headers: Record<string, string>;
  /** Serialised JSON ('' for 304). */
  body: string;
  /** Set when an experiment chose the variation: every time this response is served is an exposure. */
  exposure?: ServedExposure;
}

export interface PipelineDeps {
  resolvers: OriginResolvers;
  itemMetadata?: ItemMetadataStores;
  /** Invokes response post-processors (Lambda functions). */
  invokeFunction: InvokeFunction;
  clock: () => number;
  defaultTimeZone: string;
  logger: Logger;
  metrics: Metrics;
  /** Circuit breakers per origin; without them every call goes to its origin. */
  breakers?: CircuitBreakers;
  experiments: ExperimentDeps;
  /** Told about every response an experiment served (records the exposure in the background). */
  onExposure?: (exposure: ServedExposure) => void;
  /** IDs for responses whose origin gives no `recommendationId` (default UUIDv7). */
  newRecommendationId?: RecommendationIdFactory;
}

const defaultRecommendationId = recommendationIdFactory();

const stringValues = (values: Record<string, string | number>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));

/**
 * @example
 * const res = await serveInference(deps, config.current(), {
 *   action: 'recommend-items', method: 'GET', namespace: 'retail', recommender: 'for-you', userId: 'u1',
 *   query: { numResults: '10' }, headers: headerLookup(new Headers()),
 * });
 * // → { status: 200, headers: { 'Cache-Control': 'max-age=0, private', ETag: '"…"', … }, body: '{"itemList":[…]}' }
 */
export async function serveInference(
  deps: PipelineDeps,
  config: ResolvedConfig,
  request: InferenceRequest,
): Promise<InferenceResponse> {
  const now = deps.clock();
  const deadline = request.deadline ?? NO_DEADLINE;

  // 2. Recommender.
  const namespace = config.namespaces.get(request.namespace);
  if (!namespace) throw new NotFoundError('NamespaceNotFound', `namespace '${request.namespace}' is not configured`);
  const recommender = namespace.recommenders[request.action].get(request.recommender);
  if (!recommender) {
    throw new NotFoundError(
      'RecommenderNotConfigured',
      `no ${request.action} recommender '${request.recommender}' in namespace '${request.namespace}'`,
    );
  }

  // 1. Conditional request: an unexpired ETag we issued for this request answers 304 without an origin call.
  // What the ETag is bound to, worked out only when a tag is checked or made.
  const scope = () => etagScope(config.version, request);
  if (request.method === 'GET') {
    const ifNoneMatch = request.headers('if-none-match');
    const etag = ifNoneMatch === undefined ? undefined : freshEtag(ifNoneMatch, now, scope());
    if (etag) return { status: 304, headers: { ETag: etag }, body: '' };
  }

  const query = parseInferenceQuery(
    request.query,
    request.action === 'rerank-items'
      ? { defaultNumResults: Math.max(1, request.itemList?.length ?? 0), maxNumResults: MAX_NUM_RESULTS }
      : recommender,
  );
  const userId = request.action === 'related-items' ? query.userId : request.userId;
  const hasUser = userId !== undefined;

  // 3. Variation (experiments plug in here).
  const { variation, matchedExperiment } = await chooseVariation(
    recommender,
    { userId, feature: query.feature, deadline },
    deps.experiments,
  );

  // 4.–7. Context, filter, look-ahead and metadata columns belong to a variation: a fallback gets its own.
  const autoInput: AutoContextInput = { headers: request.headers, now, defaultTimeZone: deps.defaultTimeZone };
  const originRequestFor = (v: ResolvedVariation): Omit<OriginRequest, 'signal'> => {
    // 4. Context: explicit values win over automatic ones.
    const context = Object.assign(stringValues(evaluateAutoContext(v.autoContext, autoInput)), query.context);
    // 5. Filter.
    const filter = chooseFilter(v, { filter: query.filter, filterValues: query.filterValues, hasUser }, autoInput);
    const metadata = v.inferenceItemMetadata;
    const built: Omit<OriginRequest, 'signal'> = {
      action: request.action,
      namespace: namespace.key,
      recommender,
      variation: v,
      userId,
      itemId: request.itemId,
      itemList: request.itemList,
      // 6. Look-ahead for post-processors.
      numResults: originNumResults(query.numResults, recommender.responsePostProcessor, v.type),
      context,
      query: request.query,
    };
    Object.assign(built, filter);
    if (query.decorateItems && metadata?.type === 'personalize') built.metadataColumns = metadata.itemColumns;
    return built;
  };
  const firstRequest = originRequestFor(variation);
  const started = performance.now();
  let result: OriginResult;
  let servedBy = variation;
  let originRequest: Omit<OriginRequest, 'signal'>;
  try {
    ({
      result,
      variation: servedBy,
      request: originRequest,
    } = await callWithFallback(deps, firstRequest, originRequestFor, deadline));
  } catch (err) {
    deps.metrics.add(err instanceof OriginThrottledError ? 'OriginThrottled' : 'OriginError', 'Count', 1);
    deps.logger.warn('origin call failed', { origin: originLabel(variation), error: describeError(err) });
    throw err;
  } finally {
    deps.metrics.add('OriginLatency', 'Milliseconds', performance.now() - started);
  }

  // 8. Decoration from the store of the variation that answered.
  let notReady = false;
  const metadataConfig = servedBy.inferenceItemMetadata;
  if (query.decorateItems && metadataConfig && metadataConfig.type !== 'personalize' && deps.itemMetadata) {
    const store = deps.itemMetadata(namespace.key, metadataConfig);
    if (store?.ready?.() === false) notReady = true;
    else if (store) result = Object.assign({}, result, { items: await decorateItems(result.items, store, deadline) });
  }

  // 9. Post-processor, then trim.
  if (recommender.responsePostProcessor) {
    result = await postProcess(
      deps.invokeFunction,
      recommender.responsePostProcessor,
      {
        ...originRequest,
        numResults: query.numResults,
      },
      result,
      deadline,
    );
  }
  const items = result.items.slice(0, query.numResults);

  // 10. Body and headers. Every response gets a recommendationId (the origin's when it has one) for attribution.
  const recommendationId = result.recommendationId || (deps.newRecommendationId ?? defaultRecommendationId)();
  const body = inferenceBodyJson(listKey(request.action), items, recommendationId, matchedExperiment);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    [RECOMMENDATION_ID_HEADER]: recommendationId,
    [VARIATION_HEADER]: servedBy.key,
  };
  // Shared caches between the client and us must not give one viewer's context-dependent answer to another.
  if (recommender.contextHeaders.length > 0) headers.Vary = recommender.contextHeaders.join(', ');
  if (servedBy !== variation) {
    // A degraded answer: say so, and let no cache keep it past the origin's recovery.
    headers[FALLBACK_HEADER] = `${variation.key}->${servedBy.key}`;
    headers['Cache-Control'] = 'no-store';
  } else if (notReady) {
    // Undecorated only for now: no cache may keep it past the store's first download.
    headers[ITEM_METADATA_HEADER] = 'not-ready';
    headers['Cache-Control'] = 'no-store';
  } else if (request.method === 'POST') {
    headers['Cache-Control'] = 'no-store';
  } else {
    const entry = cacheControlFor(variation.cacheControl, { hasUser, syntheticUser: query.syntheticUser });
    headers['Cache-Control'] = cacheControlHeader(entry);
    // A tag expires with its max-age (see etag.ts), so one for max-age=0 could never earn a 304: the
    // hash and HMAC over the body would be spent on every personal answer for nothing.
    if (entry.maxAge > 0) headers.ETag = makeEtag(body, now, entry.maxAge, scope());
  }
  if (matchedExperiment && userId !== undefined) {
    const exposure: ServedExposure = {
      namespace,
      recommender,
      matched: matchedExperiment,
      userId,
      recommendationId,
      itemIds: items.map((item) => item.itemId),
    };
    deps.onExposure?.(exposure);
    return { status: 200, headers, body, exposure };
  }
  return { status: 200, headers, body };
}
