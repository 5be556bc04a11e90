/**
 * The body of `POST /events/{namespace}`: Personalize PutEvents' request (without `trackingId`, which
 * comes from the namespace's targets) plus `experimentConversions`. Limits follow PutEvents, so what
 * passes here a Personalize event tracker accepts: at most 10 events, `properties` a JSON object
 * encoded as a string of at most 1,024 characters, `recommendationId` at most 40 characters.
 *
 * Defaults: `sessionId` is optional here although Personalize requires one; it defaults to the
 * `userId`, else a generated UUID (so one anonymous request is one session). `sentAt` (epoch seconds or
 * an ISO-8601 date-time with a zone) defaults to the time the request arrived. A conversion's `value`
 * defaults to 1.0. Every problem is a 400 whose message names the field, e.g. `eventList[3].properties`.
 */
import * as z from 'zod';
import { BadRequestError } from '../errors.ts';

/** Largest body accepted: ten events at every PutEvents limit fit well within it. */
export const MAX_EVENTS_BODY_BYTES = 256 * 1024;
export const MAX_EVENTS = 10;
export const MAX_CONVERSIONS = 25;
/**
 * A conversion's `value` (a count, or an amount such as revenue; negative for refunds) is summed per
 * variation by the experiment readout, so one request with `1e308` would decide an experiment.
 */
export const MAX_CONVERSION_VALUE = 1_000_000;
/** 9999-12-31T23:59:59Z: a larger `sentAt` is almost surely milliseconds, not seconds. */
const MAX_EPOCH_SECONDS = 253_402_300_799;

const text = (max: number) => z.string().min(1).max(max);
const isoDateTime = z.iso.datetime({ offset: true });

const sentAtSchema = z
  .custom<number | string>(
    (v) =>
      (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_EPOCH_SECONDS) ||
      (typeof v === 'string' && isoDateTime.safeParse(v).success),
    { error: 'must be epoch seconds or an ISO-8601 date-time with a time zone' },
  )
  .transform((v) => (typeof v === 'number' ? new Date(v * 1000) : new Date(v)));

/** Longest `properties` string Personalize PutEvents accepts. */
export const MAX_PROPERTIES_LENGTH = 1024;

const propertiesSchema = z
  .string({ error: (iss) => (iss.code === 'invalid_type' ? 'must be a JSON object encoded as a string' : undefined) })
  .max(MAX_PROPERTIES_LENGTH)
  .transform((value, ctx) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object encoded as a string' });
      return z.NEVER;
    }
    return parsed as Record<string, unknown>;
  });

const eventSchema = z.strictObject({
  eventId: text(256).optional(),
  eventType: text(256),
  eventValue: z.number().optional(),
  itemId: text(256).optional(),
  impression: z.array(text(256)).min(1).max(25).optional(),
  properties: propertiesSchema.optional(),
  recommendationId: text(40).optional(),
  sentAt: sentAtSchema.optional(),
});

const conversionSchema = z.strictObject({
  recommender: text(256),
  feature: text(256).optional(),
  metric: text(256),
  value: z
    .number()
    .min(-MAX_CONVERSION_VALUE, { error: `must be from -${MAX_CONVERSION_VALUE} to ${MAX_CONVERSION_VALUE}` })
    .max(MAX_CONVERSION_VALUE, { error: `must be from -${MAX_CONVERSION_VALUE} to ${MAX_CONVERSION_VALUE}` })
    .default(1),
});

const bodySchema = z
  .strictObject(
    {
      /** Accepted for PutEvents compatibility and ignored: tracking IDs come from the configuration. */
      trackingId: z.string().optional(),
      sessionId: text(256).optional(),
      userId: text(256).optional(),
      eventList: z.array(eventSchema).min(1).max(MAX_EVENTS).optional(),
      experimentConversions: z.array(conversionSchema).min(1).max(MAX_CONVERSIONS).optional(),
    },
    { error: (iss) => (iss.code === 'invalid_type' ? 'must be a JSON object' : undefined) },
  )
  .superRefine((body, ctx) => {
    if (!body.eventList && !body.experimentConversions) {
      ctx.addIssue({ code: 'custom', path: [], message: 'needs eventList, experimentConversions or both' });
    }
    if (body.experimentConversions && !body.userId) {
      ctx.addIssue({ code: 'custom', path: ['userId'], message: 'is required with experimentConversions' });
    }
  });

export interface ParsedEvent {
  eventId?: string;
  eventType: string;
  eventValue?: number;
  itemId?: string;
  impression?: string[];
  properties?: Record<string, unknown>;
  recommendationId?: string;
  sentAt: Date;
}

export interface ParsedConversion {
  recommender: string;
  feature?: string;
  metric: string;
  value: number;
}

export interface EventsBody {
  sessionId: string;
  userId?: string;
  events: ParsedEvent[];
  conversions: ParsedConversion[];
  /** The body as posted (validated), for targets that forward the request as it came. */
  posted: Record<string, unknown>;
}

/** `eventList[3].properties` from ['eventList', 3, 'properties']; `body` for the root. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || 'body';
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Readable messages for the issues zod reports in its own words. */
function describeIssue(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return 'is required';
      return `must be ${/^[aeiou]/.test(iss.expected) ? 'an' : 'a'} ${iss.expected}`;
    case 'too_small':
      if (iss.origin === 'array') return `needs at least ${plural(Number(iss.minimum), 'item')}`;
      if (iss.origin === 'string') return 'must not be empty';
      return undefined;
    case 'too_big':
      if (iss.origin === 'array') return `holds at most ${plural(Number(iss.maximum), 'item')}`;
      if (iss.origin === 'string') return `must be at most ${plural(Number(iss.maximum), 'character')}`;
      return undefined;
    default:
      return undefined;
  }
}

function toMessage(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((iss) =>
      iss.code === 'unrecognized_keys'
        ? iss.keys.map((key) => `${fieldPath([...iss.path, key])}: is not a known field`).join('; ')
        : `${fieldPath(iss.path)}: ${iss.message}`,
    )
    .join('; ');
}

/**
 * Parses and validates the raw body text. Throws BadRequestError (`InvalidBody`) naming the field.
 *
 * @example
 * parseEventsBody('{"userId":"u1","eventList":[{"eventType":"click","itemId":"i9"}]}', {
 *   now: new Date(), newSessionId: () => crypto.randomUUID(),
 * });
 * // → { sessionId: 'u1', userId: 'u1', events: [{ eventType: 'click', itemId: 'i9', sentAt: now }], conversions: [] }
 */
export function parseEventsBody(text: string, options: { now: Date; newSessionId: () => string }): EventsBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadRequestError('InvalidBody', 'body: is not valid JSON');
  }
  const result = bodySchema.safeParse(json, { error: describeIssue });
  if (!result.success) throw new BadRequestError('InvalidBody', toMessage(result.error.issues));
  const body = result.data;
  return {
    sessionId: body.sessionId ?? body.userId ?? options.newSessionId(),
    userId: body.userId,
    events: (body.eventList ?? []).map((e) => ({ ...e, sentAt: e.sentAt ?? options.now })),
    conversions: body.experimentConversions ?? [],
    posted: json as Record<string, unknown>,
  };
}
