/**
 * The one factory of the AWS SDK v3 clients the data plane calls (origins, item-metadata stores, event
 * targets, experiments), built lazily — a deployment that only uses HTTP origins never loads the Lambda
 * client's credentials chain — and once each. The composition root builds one set and passes it down
 * (`AppDeps.clients`). The SDK itself honours `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>`, so
 * emulators work without code here; `endpoint` is only set when a caller passes one explicitly (tests).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EvidentlyClient } from '@aws-sdk/client-evidently';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import { PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

export interface AwsClients {
  personalizeRuntime(): PersonalizeRuntimeClient;
  lambda(): LambdaClient;
  sagemakerRuntime(): SageMakerRuntimeClient;
  /** Item metadata: DynamoDB tables. */
  dynamodb(): DynamoDBClient;
  /** Item metadata: localdb files synced from the staging bucket. */
  s3(): S3Client;
  /** Event targets: one attempt per call, the fan-out retries (it sees and reports every failure). */
  personalizeEvents(): PersonalizeEventsClient;
  kinesis(): KinesisClient;
  firehose(): FirehoseClient;
  eventBridge(): EventBridgeClient;
  /** Loaded on first use: only `evidently` experiments need it, and initialising it costs cold-start time. */
  evidently(): Promise<EvidentlyClient>;
}

export interface AwsClientOptions {
  region?: string;
  /** Retries per call of the origin and store clients (the SDK default is 3); origin timeouts bound the total anyway. */
  maxAttempts?: number;
  endpoints?: Partial<Record<keyof AwsClients, string>>;
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
 * const clients = createAwsClients({ region: 'eu-west-1' });
 * await clients.personalizeRuntime().send(new GetRecommendationsCommand({ ... }));
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const config = (name: keyof AwsClients, maxAttempts = options.maxAttempts) => ({
    ...(options.region ? { region: options.region } : {}),
    ...(maxAttempts ? { maxAttempts } : {}),
    ...(options.endpoints?.[name] ? { endpoint: options.endpoints[name] } : {}),
  });
  return {
    personalizeRuntime: once(() => new PersonalizeRuntimeClient(config('personalizeRuntime'))),
    lambda: once(() => new LambdaClient(config('lambda'))),
    sagemakerRuntime: once(() => new SageMakerRuntimeClient(config('sagemakerRuntime'))),
    dynamodb: once(() => new DynamoDBClient(config('dynamodb'))),
    s3: once(() => new S3Client(config('s3'))),
    personalizeEvents: once(() => new PersonalizeEventsClient(config('personalizeEvents', 1))),
    kinesis: once(() => new KinesisClient(config('kinesis', 1))),
    firehose: once(() => new FirehoseClient(config('firehose', 1))),
    eventBridge: once(() => new EventBridgeClient(config('eventBridge', 1))),
    evidently: once(
      async () => new (await import('@aws-sdk/client-evidently')).EvidentlyClient(config('evidently', 1)),
    ),
  };
}
