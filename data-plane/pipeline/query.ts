/**
 * Query-string parsing for the inference routes (the schema lives in contracts/inference-query.ts).
 * Every problem is a 400 whose message starts with the parameter's name; unknown parameters are
 * ignored (clients add cache busters).
 */
import { type InferenceQuery, parseFlag, querySchema } from '../../contracts/inference-query.ts';
import { BadRequestError } from '../errors.ts';

type Limits = { defaultNumResults: number; maxNumResults: number };

/** What a frozen query object (the routes keep one per query string) was read as, under which limits. */
const readQueries = new WeakMap<object, { limits: Limits; query: InferenceQuery }>();

/**
 * The query read and checked; the same answer, frozen, for a frozen `raw` read before under the same
 * `limits` object (a recommender's).
 *
 * @example
 * parseInferenceQuery({ numResults: '10', decorateItems: 'no' }, { defaultNumResults: 25, maxNumResults: 500 })
 * // → { numResults: 10, decorateItems: false, syntheticUser: false }
 */
export function parseInferenceQuery(raw: Readonly<Record<string, string | undefined>>, limits: Limits): InferenceQuery {
  const known = readQueries.get(raw);
  if (known?.limits === limits) return known.query;
  const query = readQuery(raw, limits);
  if (Object.isFrozen(raw)) {
    if (query.context) Object.freeze(query.context);
    if (query.filterValues) Object.freeze(query.filterValues);
    readQueries.set(raw, { limits, query: Object.freeze(query) });
  }
  return query;
}

function readQuery(raw: Readonly<Record<string, string | undefined>>, limits: Limits): InferenceQuery {
  const parsed = querySchema(limits.maxNumResults).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const param = String(issue.path[0] ?? 'query');
    const message = issue.message.startsWith(param) ? issue.message : `${param}: ${issue.message}`;
    throw new BadRequestError('InvalidParameter', message);
  }
  const q = parsed.data;
  return {
    numResults: q.numResults ?? Math.min(limits.defaultNumResults, limits.maxNumResults),
    filter: q.filter,
    filterValues: q.filterValues,
    context: q.context,
    feature: q.feature,
    userId: q.userId,
    decorateItems: parseFlag(q.decorateItems, true),
    syntheticUser: parseFlag(q.syntheticUser, false),
  };
}
