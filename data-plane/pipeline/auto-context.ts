/**
 * Automatic context: values derived from the request (CloudFront viewer headers, the time in the viewer's
 * time zone, the season in the viewer's hemisphere) by the `autoContext` rules of the configuration.
 * Pure: the caller passes the headers, the clock reading and the default time zone. Used for inference
 * context, for dynamic filter values and to enrich event properties.
 */

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

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(zone);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      hour: 'numeric',
      weekday: 'short',
      month: 'numeric',
    });
  } catch {
    return undefined;
  }
  formatters.set(zone, f);
  return f;
}

const WEEKDAYS: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

export interface TimeParts {
  /** 0–23. */
  hour: number;
  /** 0 = Monday … 6 = Sunday. */
  dayOfWeek: number;
  /** 1–12. */
  month: number;
}

/** Hour, weekday and month of `now` in `zone`, or in `fallbackZone` when `zone` is missing or not a zone. */
export function timeParts(now: number, zone: string | undefined, fallbackZone: string): TimeParts {
  const f = (zone && formatterFor(zone)) || formatterFor(fallbackZone) || formatterFor('UTC')!;
  let hour = 0;
  let dayOfWeek = 0;
  let month = 1;
  for (const part of f.formatToParts(now)) {
    if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'weekday') dayOfWeek = WEEKDAYS[part.value] ?? 0;
    else if (part.type === 'month') month = Number(part.value);
  }
  return { hour, dayOfWeek, month };
}

/** 0 spring, 1 summer, 2 fall, 3 winter, by meteorological season; flipped south of the equator. */
export function seasonOf(month: number, latitude: number | undefined): number {
  const northern = Math.floor(((month + 9) % 12) / 3);
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
  if (rule.type === 'hour-of-day') return t.hour;
  if (rule.type === 'day-of-week') return t.dayOfWeek;
  const latitudeText = input.headers(LATITUDE_HEADER);
  const latitude = latitudeText === undefined ? undefined : asNumber(latitudeText);
  return seasonOf(t.month, latitude);
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
 * Evaluates every field; a field with several values (evaluateAll) is joined with `|`, the separator
 * Personalize uses for multi-valued categorical fields. Fields that produce nothing are absent.
 *
 * @example
 * evaluateAutoContext(variation.autoContext, { headers: headerLookup(req.headers), now: Date.now(), defaultTimeZone: 'UTC' })
 * // → { deviceType: 'Phone', timeOfDay: 'Evening' }
 */
export function evaluateAutoContext(autoContext: AutoContext, input: AutoContextInput): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const [name, field] of Object.entries(autoContext)) {
    const values = evaluateField(field, input);
    if (values.length === 1) out[name] = values[0]!;
    else if (values.length > 1) out[name] = values.join('|');
  }
  return out;
}
