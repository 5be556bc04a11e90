/**
 * The one factory of the AWS SDK v3 clients the data plane calls (origins, item-metadata stores, event
 * targets, experiments), built lazily — a deployment that only uses HTTP origins never loads the Lambda
 * client's credentials chain — and once each. The composition root builds one set and passes it down
 * (`AppDeps.clients`). The SDK itself honours `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>`, so
 * emulators work without code here; `endpoint` is only set when a caller passes one explicitly (tests).
 *
 * Every client is bounded the same way: HTTP/1.1 through one NodeHttpHandler per client with a connect
 * timeout and a socket idle timeout (a backstop: each call also carries its request's AbortSignal,
 * whose abort destroys the socket), and a fixed number of attempts — 3 for origins and stores, 1 for
 * event targets, whose fan-out retries and reports. HTTP/1.1 also for Kinesis, whose client would
 * otherwise open HTTP/2 sessions that outlive an aborted call.
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
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** A connection not established within this is a failed attempt. */
export const CONNECT_TIMEOUT_MS = 3000;
/** A socket with no traffic either way for this long is closed (calls are bounded by their deadline before that). */
export const SOCKET_IDLE_TIMEOUT_MS = 30_000;
/** Attempts per call of the origin and store clients. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * The request handler and retry bound every client gets (also the AppConfigData client the provider builds).
 *
 * @example
 * new AppConfigDataClient({ region, ...boundedClientConfig() });
 */
export function boundedClientConfig(maxAttempts = DEFAULT_MAX_ATTEMPTS) {
  return {
    maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: SOCKET_IDLE_TIMEOUT_MS,
    }),
  };
}

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
  /** Closes the sockets of every client built so far (shutdown). */
  destroy(): void;
}

type ClientName = Exclude<keyof AwsClients, 'destroy'>;

export interface AwsClientOptions {
  region?: string;
  /** Attempts per call of the origin and store clients (default 3); request deadlines bound the total anyway. */
  maxAttempts?: number;
  endpoints?: Partial<Record<ClientName, string>>;
  /**
   * Drop the host prefixes some operations add (Evidently's `dataplane.`): set when `AWS_ENDPOINT_URL*`
   * points the clients at a local endpoint, whose host cannot take a prefix.
   */
  disableHostPrefix?: boolean;
}

/**
 * @example
 * const clients = createAwsClients({ region: 'eu-west-1' });
 * await clients.personalizeRuntime().send(new GetRecommendationsCommand({ ... }), { abortSignal: deadline.signal });
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const built: Array<{ destroy(): void }> = [];
  const once = <T extends { destroy(): void }>(build: () => T): (() => T) => {
    let value: T | undefined;
    return () => {
      if (!value) {
        value = build();
        built.push(value);
      }
      return value;
    };
  };
  const config = (name: ClientName, maxAttempts = options.maxAttempts) => ({
    ...(options.region ? { region: options.region } : {}),
    ...boundedClientConfig(maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
    ...(options.endpoints?.[name] ? { endpoint: options.endpoints[name] } : {}),
    ...(options.disableHostPrefix ? { disableHostPrefix: true } : {}),
  });
  let evidently: Promise<EvidentlyClient> | undefined;
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
    evidently: () => {
      evidently ??= import('@aws-sdk/client-evidently').then(({ EvidentlyClient }) => {
        const client = new EvidentlyClient(config('evidently', 1));
        built.push(client);
        return client;
      });
      return evidently;
    },
    destroy() {
      for (const client of built.splice(0)) client.destroy();
    },
  };
}
