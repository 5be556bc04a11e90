/**
 * The contract of an event target: a name to report outcomes under and `send`, which delivers one
 * batch or throws (a PartialDeliveryError when only some records failed). Each target type is a
 * factory `(config, clients) → EventTarget` in its own file; clients are passed in so tests give the
 * real SDK clients under aws-sdk-client-mock.
 */
import { basename } from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import type { EventTargetConfig, RecordFormat } from '../../../schema/config-schema.ts';
import type { LearnEvent } from '../../origins/builtin/model.ts';
import type { EventBatch } from '../records.ts';
import type { FileAppender } from './file-appender.ts';

export interface EventTarget {
  /** `type:identifier`, e.g. `kinesis-stream:clicks`; what outcomes and 502 messages name. */
  readonly name: string;
  send(batch: EventBatch, signal?: AbortSignal): Promise<void>;
  /** Loads what the first `send` would (the target's module and SDK client), so that no request waits for it. */
  load?(): Promise<void>;
}

/** What a target is reported under: `type:identifier`, known before its module is loaded. */
export function targetName(config: EventTargetConfig): string {
  switch (config.type) {
    case 'personalize-event-tracker':
      return `personalize-event-tracker:${config.trackingId}`;
    case 'kinesis-stream':
    case 'kinesis-firehose':
      return `${config.type}:${config.streamName}`;
    case 'eventbridge':
      return `eventbridge:${config.eventBusName ?? 'default'}`;
    case 'file':
      return `file:${basename(config.path)}`;
    case 'builtin':
      return 'builtin';
  }
}

/** Feeds interactions to the namespace's embedded recommenders (`BuiltinModels.learn`). */
export type LearnFunction = (namespace: string, events: readonly LearnEvent[]) => void | Promise<void>;

export interface TargetClients {
  personalizeEvents(): PersonalizeEventsClient;
  kinesis(): KinesisClient;
  firehose(): FirehoseClient;
  eventBridge(): EventBridgeClient;
  files: FileAppender;
  /** Imports the SDK packages of these clients (AwsClients.load); absent when the clients are built already (tests). */
  load?(...names: Array<'personalizeEvents' | 'kinesis' | 'firehose' | 'eventBridge'>): Promise<void>;
  /** Feeds the embedded recommender; absent when the deployment has none (a `builtin` target then fails). */
  learn?: LearnFunction;
}

/** The batch's records as JSON lines, each line ending with a newline. */
export function jsonLines(batch: EventBatch): string {
  return batch.records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/**
 * What a Kinesis or Firehose target puts for a batch: its records as JSON lines (`records`, the
 * default), or the request document the old service sent (`request`), newline-terminated. A batch with
 * no request (an exposure of a served response) has nothing in the request format: undefined.
 */
export function streamPayload(batch: EventBatch, format: RecordFormat | undefined): Buffer | undefined {
  if (format === 'request')
    return batch.request ? Buffer.from(`${JSON.stringify(batch.request)}\n`, 'utf8') : undefined;
  return batch.records.length === 0 ? undefined : Buffer.from(jsonLines(batch), 'utf8');
}
