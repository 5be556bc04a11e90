/**
 * Automatic context: values derived from the request (CloudFront viewer headers, the time in the viewer's
 * time zone, the season in the viewer's hemisphere) by the `autoContext` rules of the configuration.
 * Pure: the caller passes the headers, the clock reading and the default time zone. Used for inference
 * context, for dynamic filter values and to enrich event properties.
 */

import { LRUCache } from 'lru-cache';
import type { SeasonBoundaries } from '../../schema/config-schema.ts';
import type { AutoContext, ContextField, Rule, ValueMapping } from '../../schema/resolve-config.ts';
import { LATITUDE_HEADER, TIME_ZONE_HEADER } from '../../schema/resolve-config.ts';

export type ContextValue = string | number;

/** Looks a header up by lower-case name. */
export type HeaderLookup = (lowerCaseName: string) => string | undefined;

export interface AutoContextInput {
  headers: HeaderLookup;
  /** Epoch milliseconds. */
  now: number;
  /** IANA zone used when the request carries no valid `cloudfront-viewer-time-zone`. */
  defaultTimeZone: string;
}

/** Makes a case-insensitive lookup over Fetch `Headers` or a plain record (e.g. a Lambda event's headers). */
export function headerLookup(source: Headers | Record<string, string | undefined>): HeaderLookup {
  if (source instanceof Headers) return (name) => source.get(name) ?? undefined;
  const lower = new Map<string, string>();
  for (const [k, v] of Object.entries(source)) if (v !== undefined) lower.set(k.toLowerCase(), v);
  return (name) => lower.get(name.toLowerCase());
}

/**
 * Time-zone formatters, keyed by canonical zone. The zone comes from a request header, so neither
 * cache may grow with what clients send: header values are folded to lower case and canonicalised
 * (`america/new_york` and `US/Eastern` share America/New_York's formatter), the formatter cache holds
 * at most one entry per real zone, and the alias lookup is a bounded LRU.
 */
const MAX_ZONE_LENGTH = 64;
const formatters = new LRUCache<string, Intl.DateTimeFormat>({ max: 1_024 });
const aliases = new LRUCache<string, string | false>({ max: 1_024 });
let knownZones: Map<string, string> | undefined;

function canonicalZone(zone: string): string | undefined {
  if (zone.length === 0 || zone.length > MAX_ZONE_LENGTH) return undefined;
  const key = zone.toLowerCase();
  knownZones ??= new Map(['UTC', ...Intl.supportedValuesOf('timeZone')].map((z) => [z.toLowerCase(), z]));
  const known = knownZones.get(key) ?? aliases.get(key);
  if (known !== undefined) return known || undefined;
  let canonical: string | false = false;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    // Not a time zone: remembered as such so a repeated bad value costs one map lookup.
  }
  aliases.set(key, canonical);
  return canonical || undefined;
}

function formatterFor(zone: string): Intl.DateTimeFormat | undefined {
  const canonical = canonicalZone(zone);
  if (!canonical) return undefined;
  let f = formatters.get(canonical);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: canonical,
      hourCycle: 'h23',
      hour: 'numeric',
      weekday: 'short',
      month: 'numeric',
      day: 'numeric',
    });
    formatters.set(canonical, f);
  }
  return f;
}

/** How many formatters and alias lookups are cached (for the bound's regression test). */
export function zoneCacheSizes(): { formatters: number; aliases: number } {
  return { formatters: formatters.size, aliases: aliases.size };
}

const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

export interface TimeParts {
  /** 0–23. */
  hour: number;
  /** 0 = Monday … 6 = Sunday. */
  dayOfWeek: number;
  /** 1–12. */
  month: number;
  /** 1–31. */
  day: number;
}

/** Hour, weekday and month of `now` in `zone`, or in `fallbackZone` when `zone` is missing or not a zone. */
export function timeParts(now: number, zone: string | undefined, fallbackZone: string): TimeParts {
  const f = (zone && formatterFor(zone)) || formatterFor(fallbackZone) || formatterFor('UTC')!;
  let hour = 0;
  let dayOfWeek = 0;
  let month = 1;
  let day = 1;
  for (const part of f.formatToParts(now)) {
    if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'weekday') dayOfWeek = WEEKDAYS[part.value] ?? 0;
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
  }
  return { hour, dayOfWeek, month, day };
}

/** First day of spring, summer, fall and winter in the northern hemisphere, as the old service dated them. */
const SOLSTICE_STARTS: ReadonlyArray<readonly [month: number, day: number]> = [
  [3, 21],
  [6, 21],
  [9, 23],
  [12, 23],
];

/**
 * 0 spring, 1 summer, 2 fall, 3 winter in the northern hemisphere, flipped south of the equator.
 * `solstice` boundaries (the default) start spring on 21 March, summer on 21 June, fall on 23 September
 * and winter on 23 December; `meteorological` ones use whole months (spring is March to May).
 */
export function seasonOf(
  date: { month: number; day: number },
  latitude: number | undefined,
  boundaries: SeasonBoundaries = 'solstice',
): number {
  let northern: number;
  if (boundaries === 'meteorological') northern = Math.floor(((date.month + 9) % 12) / 3);
  else {
    northern = 3;
    for (let s = 0; s < SOLSTICE_STARTS.length; s++) {
      const [m, d] = SOLSTICE_STARTS[s]!;
      if (date.month > m || (date.month === m && date.day >= d)) northern = s;
    }
  }
  return latitude !== undefined && latitude < 0 ? (northern + 2) % 4 : northern;
}

const asNumber = (v: ContextValue): number | undefined => {
  if (typeof v === 'number') return v;
  if (v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** Whether `actual` satisfies `mapping`; comparisons are numeric when both sides are numbers. */
export function matches(actual: ContextValue, mapping: ValueMapping): boolean {
  const a = asNumber(actual);
  const b = asNumber(mapping.value);
  switch (mapping.operator) {
    case 'equals':
      return a !== undefined && b !== undefined ? a === b : String(actual) === String(mapping.value);
    case 'less-than':
      return a !== undefined && b !== undefined && a < b;
    case 'greater-than':
      return a !== undefined && b !== undefined && a > b;
    case 'contains':
      return String(actual).includes(String(mapping.value));
    case 'starts-with':
      return String(actual).startsWith(String(mapping.value));
    case 'ends-with':
      return String(actual).endsWith(String(mapping.value));
  }
}

function ruleInput(rule: Rule, input: AutoContextInput): ContextValue | undefined {
  if (rule.type === 'header-value') return input.headers(rule.header);
  const zone = input.headers(TIME_ZONE_HEADER);
  const t = timeParts(input.now, zone, input.defaultTimeZone);
  if (rule.type !== 'season') return rule.type === 'hour-of-day' ? t.hour : t.dayOfWeek;
  const latitudeText = input.headers(LATITUDE_HEADER);
  const latitude = latitudeText === undefined ? undefined : asNumber(latitudeText);
  return seasonOf(t, latitude, rule.seasonBoundaries);
}

function typed(field: ContextField, value: ContextValue): ContextValue | undefined {
  if (field.type === 'string') return String(value);
  const n = asNumber(value);
  if (n === undefined) return undefined;
  return field.type === 'float' ? n : Math.trunc(n);
}

/**
 * Every value a field's rules produce (one per matching rule, first mapping that holds; all rules when
 * `evaluateAll`, else the first rule that produces one), or `[default]`, or `[]`.
 */
export function evaluateField(field: ContextField, input: AutoContextInput): ContextValue[] {
  const values: ContextValue[] = [];
  for (const rule of field.rules) {
    const raw = ruleInput(rule, input);
    if (raw === undefined || raw === '') continue;
    const mapped = rule.valueMappings?.length ? rule.valueMappings.find((m) => matches(raw, m))?.mapTo : raw;
    const value = mapped === undefined ? undefined : typed(field, mapped);
    if (value === undefined) continue;
    if (!values.includes(value)) values.push(value);
    if (!field.evaluateAll) break;
  }
  if (values.length === 0 && field.default !== undefined) {
    const fallback = typed(field, field.default);
    if (fallback !== undefined) values.push(fallback);
  }
  return values;
}

/**
 * Evaluates every field. A field with several matches (evaluateAll) gives its first match, as the old
 * service sent one value per field, or, with `join: 'all'` or the field's `joinValues`, every match
 * joined with `|`, the separator Personalize uses for multi-valued categorical fields (event
 * properties always take that form). Fields that produce nothing are absent.
 *
 * @example
 * evaluateAutoContext(variation.autoContext, { headers: headerLookup(req.headers), now: Date.now(), defaultTimeZone: 'UTC' })
 * // → { deviceType: 'Phone', timeOfDay: 'Evening' }
 */
export function evaluateAutoContext(
  autoContext: AutoContext,
  input: AutoContextInput,
  join: 'per-field' | 'all' = 'per-field',
): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const [name, field] of Object.entries(autoContext)) {
    const values = evaluateField(field, input);
    if (values.length === 1 || (values.length > 1 && join === 'per-field' && !field.joinValues)) out[name] = values[0]!;
    else if (values.length > 1) out[name] = values.join('|');
  }
  return out;
}
