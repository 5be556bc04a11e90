/**
 * Query-string parsing for the inference routes (the schema lives in contracts/inference-query.ts).
 * Every problem is a 400 whose message starts with the parameter's name; unknown parameters are
 * ignored (clients add cache busters).
 */
import { type InferenceQuery, parseFlag, querySchema } from '../../contracts/inference-query.ts';
import { BadRequestError } from '../errors.ts';

/**
 * @example
 * parseInferenceQuery({ numResults: '10', decorateItems: 'no' }, { defaultNumResults: 25, maxNumResults: 500 })
 * // → { numResults: 10, decorateItems: false, syntheticUser: false }
 */
export function parseInferenceQuery(
  raw: Record<string, string | undefined>,
  limits: { defaultNumResults: number; maxNumResults: number },
): InferenceQuery {
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
