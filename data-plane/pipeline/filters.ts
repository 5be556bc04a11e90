/**
 * Step 5 of the pipeline: the Personalize filter and its dynamic values.
 *
 * A `filter` query parameter overrides the variation's `filters` (a bare name becomes an ARN in the region
 * and account of the variation's ARN); otherwise the first configured filter whose `condition` holds is
 * used. Dynamic values come from that filter entry's `autoDynamicFilterValues`, formatted as Personalize
 * expects (strings quoted, several values comma-joined), and the `filterValues` parameter wins over them.
 * Without a filter there are no filter values.
 */
import { filterArnFromName } from '../../schema/arn.ts';
import type { AutoContext, Filter, ResolvedVariation } from '../../schema/resolve-config.ts';
import { BadRequestError } from '../errors.ts';
import { type AutoContextInput, type ContextValue, evaluateField } from './auto-context.ts';

export interface FilterChoice {
  filterArn?: string;
  filterValues?: Record<string, string>;
}

/** `"a"` for strings (inner quotes escaped), `12` for numbers, comma-joined: Personalize's filter value syntax. */
export function formatFilterValue(values: readonly ContextValue[]): string {
  return values
    .map((v) => (typeof v === 'number' ? String(v) : `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`))
    .join(',');
}

export function autoFilterValues(auto: AutoContext | undefined, input: AutoContextInput): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [param, field] of Object.entries(auto ?? {})) {
    const values = evaluateField(field, input);
    if (values.length > 0) out[param] = formatFilterValue(values);
  }
  return out;
}

function variationArn(variation: ResolvedVariation): string | undefined {
  return 'arn' in variation ? variation.arn : undefined;
}

/**
 * @example
 * chooseFilter(variation, { filter: 'in-stock', hasUser: true }, autoInput)
 * // → { filterArn: 'arn:aws:personalize:us-east-1:123456789012:filter/in-stock', filterValues: { … } }
 */
export function chooseFilter(
  variation: ResolvedVariation,
  request: { filter?: string; filterValues?: Record<string, string>; hasUser: boolean },
  autoInput: AutoContextInput,
): FilterChoice {
  const baseArn = variationArn(variation);
  const configured = variation.filters.map((f) => ({ entry: f, arn: filterArnFromName(f.arn, baseArn) ?? f.arn }));
  let filterArn: string | undefined;
  let entry: Filter | undefined;
  if (request.filter !== undefined) {
    filterArn = filterArnFromName(request.filter, baseArn);
    if (!filterArn) {
      throw new BadRequestError(
        'InvalidParameter',
        `filter: '${request.filter}' is a filter name but variation '${variation.key}' has no Personalize ARN to take the region and account from; pass the filter ARN`,
      );
    }
    entry = configured.find((c) => c.arn === filterArn)?.entry;
  } else {
    const chosen = configured.find((c) => c.entry.condition !== 'user-required' || request.hasUser);
    filterArn = chosen?.arn;
    entry = chosen?.entry;
  }
  if (!filterArn) return {};
  const filterValues = Object.assign(
    {},
    autoFilterValues(entry?.autoDynamicFilterValues, autoInput),
    request.filterValues,
  );
  return Object.keys(filterValues).length > 0 ? { filterArn, filterValues } : { filterArn };
}
