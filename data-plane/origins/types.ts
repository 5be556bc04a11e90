/**
 * The contract between the pipeline and the origins (recommenders). A resolver gets everything the
 * pipeline decided (variation, context, filter, how many items) and returns items; it throws the
 * ApiErrors of ../errors.ts (OriginThrottledError, OriginFailedError, OriginTimeoutError) on failure and
 * honours `signal` (aborted at the variation's timeout).
 */
import type { Action } from '../../schema/config-schema.ts';
import type { ResolvedRecommender, ResolvedVariation, VariationType } from '../../schema/resolve-config.ts';

export interface OriginRequest {
  action: Action;
  namespace: string;
  recommender: ResolvedRecommender;
  variation: ResolvedVariation;
  /** recommend-items and rerank-items always; related-items when the `userId` query parameter is set. */
  userId?: string;
  /** related-items. */
  itemId?: string;
  /** rerank-items. */
  itemList?: string[];
  /** Already includes any look-ahead. */
  numResults: number;
  context: Record<string, string>;
  filterArn?: string;
  filterValues?: Record<string, string>;
  /** Personalize item columns to return, when the metadata type is `personalize` and decoration is on. */
  metadataColumns?: string[];
  /** The request's query parameters as sent (first value of each), for URL placeholders. */
  query?: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
}

export interface RecommendedItem {
  itemId: string;
  score?: number;
  metadata?: Record<string, unknown>;
  /** Anything else an origin returns per item (e.g. Personalize `reason`) passes through. */
  [key: string]: unknown;
}

export interface OriginResult {
  items: RecommendedItem[];
  recommendationId?: string;
}

export type OriginResolver = ((request: OriginRequest) => Promise<OriginResult>) & {
  /** Loads what the first call would (the origin's module and SDK client), so that no request waits for it. */
  load?(): Promise<void>;
  /**
   * In-process origins only: the answer, computed in this call, when nothing has to be waited for
   * (undefined when something does, e.g. a model still training; the call then goes through the
   * resolver itself under its timeout). A timer and an AbortSignal could not stop a computation that
   * runs to its end in one turn anyway, and making them cost more than the embedded recommender.
   */
  answerNow?(request: Omit<OriginRequest, 'signal'>): OriginResult | undefined;
};

/** One resolver per (normalised) variation type. */
export type OriginResolvers = Partial<Record<VariationType, OriginResolver>>;
