/**
 * The records every event target receives. One request to `POST /events/{namespace}` becomes one
 * batch: a record per event, a record per experiment conversion; every response served by an experiment
 * becomes a batch of one exposure record. Records are plain JSON (timestamps as ISO-8601 strings) and
 * carry `kind`, so a consumer of a Kinesis stream, a Firehose delivery stream, an EventBridge bus or a
 * JSON-lines file can count exposures and conversions per (recommender, feature, variation) and compute
 * each variation's conversion rate without any other data.
 *
 * ```jsonc
 * {"kind":"event","namespace":"shop","sessionId":"s1","userId":"u1","eventType":"click","itemId":"i9",
 *  "properties":{"deviceType":"Phone"},"sentAt":"2026-11-02T10:00:00.000Z"}
 * {"kind":"exposure","namespace":"shop","action":"recommend-items","recommender":"rfy","feature":"home",
 *  "variation":"b","method":"hash","userId":"u1","recommendationId":"019a…","itemIds":["i9","i4"],
 *  "timestamp":"2026-11-02T09:59:58.000Z"}
 * {"kind":"conversion","namespace":"shop","action":"recommend-items","recommender":"rfy","feature":"home",
 *  "variation":"b","method":"hash","metric":"clicks","value":1,"userId":"u1","timestamp":"2026-11-02T10:00:00.000Z"}
 * ```
 */
import type { Action, ExperimentConfig } from '../../schema/config-schema.ts';
import type { ParsedEvent } from './body.ts';

/** One interaction, as Personalize PutEvents models it; `properties` is the parsed JSON object. */
export interface EventRecord extends Omit<ParsedEvent, 'sentAt'> {
  kind: 'event';
  namespace: string;
  sessionId: string;
  userId?: string;
  /** ISO-8601. */
  sentAt: string;
}

/** A user was served a response by an experiment's variation. */
export interface ExposureRecord {
  kind: 'exposure';
  namespace: string;
  action: Action;
  recommender: string;
  feature: string;
  variation: string;
  method: ExperimentConfig['method'];
  userId: string;
  /** The response's recommendationId (the origin's, or generated). */
  recommendationId: string;
  /** The items the response listed. */
  itemIds: string[];
  /** ISO-8601. */
  timestamp: string;
}

/** A user converted on an experiment's metric. */
export interface ConversionRecord {
  kind: 'conversion';
  namespace: string;
  action: Action;
  recommender: string;
  feature: string;
  /** The user's variation, when it is known without asking a service (always for `hash`). */
  variation?: string;
  method: ExperimentConfig['method'];
  metric: string;
  value: number;
  userId: string;
  /** ISO-8601. */
  timestamp: string;
}

export type EventsRecord = EventRecord | ExposureRecord | ConversionRecord;

/**
 * The `POST /events` request a batch came from, in the shape the old service put on Kinesis and
 * Firehose (`recordFormat: "request"`): `body` is the posted body after auto-context filled the events'
 * properties. Credential headers (authorization, cookie, x-api-key) are left out.
 */
export interface RequestDocument {
  namespace: string;
  path: string;
  headers: Record<string, string>;
  queryStringParameters: Record<string, string> | null;
  body: Record<string, unknown>;
}

/** What one request (or one served experiment response) hands to the targets. */
export interface EventBatch {
  namespace: string;
  /** Partition key for streams: the request's session, else its user. */
  partitionKey: string;
  records: EventsRecord[];
  /** Set for batches from `POST /events` when a target of the namespace sends the request format. */
  request?: RequestDocument;
}
