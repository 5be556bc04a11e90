/**
 * The AWS SDK clients events and experiments use, each built on first use (a laptop running only
 * `file` and `builtin` targets never builds one). Retries are left to the fan-out, which sees every
 * target's failures and reports them, so the clients make a single attempt per call; the SDK itself
 * honours `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>`.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EvidentlyClient } from '@aws-sdk/client-evidently';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';

export interface EventAwsClients {
  personalizeEvents(): PersonalizeEventsClient;
  kinesis(): KinesisClient;
  firehose(): FirehoseClient;
  eventBridge(): EventBridgeClient;
  /** Loaded on first use: only `evidently` experiments need it, and initialising it costs cold-start time. */
  evidently(): Promise<EvidentlyClient>;
}

function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

/**
 * @example
 * const clients = createEventAwsClients({ region: 'eu-west-1' });
 * await clients.kinesis().send(new PutRecordCommand({ ... }));
 */
export function createEventAwsClients(options: { region?: string } = {}): EventAwsClients {
  const config = { ...(options.region ? { region: options.region } : {}), maxAttempts: 1 };
  return {
    personalizeEvents: once(() => new PersonalizeEventsClient(config)),
    kinesis: once(() => new KinesisClient(config)),
    firehose: once(() => new FirehoseClient(config)),
    eventBridge: once(() => new EventBridgeClient(config)),
    evidently: once(async () => new (await import('@aws-sdk/client-evidently')).EvidentlyClient(config)),
  };
}
