/**
 * The one factory of the AWS SDK v3 clients the data plane calls (origins, item-metadata stores, event
 * targets, experiments), built lazily and once each. The composition root builds one set and passes it
 * down (`AppDeps.clients`). The SDK itself honours `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>`, so
 * emulators work without code here; `endpoint` is only set when a caller passes one explicitly (tests).
 *
 * No client package is imported statically: `load(...names)` imports the packages (esbuild gives each
 * a chunk of its own, the SDK's shared core another), and from then on the accessors build and return
 * their clients synchronously. Whoever uses a client loads it first — the on-demand origins, targets,
 * stores and ledger do, while a configuration is prepared or at their first call — so a deployment that
 * uses only Personalize and DynamoDB never reads or compiles Kinesis, Firehose, SageMaker, Lambda or S3.
 *
 * Every client is bounded the same way (bounded-client-config.ts): HTTP/1.1 through one NodeHttpHandler
 * per client with a connect and a socket idle timeout, and a fixed number of attempts — 3 for origins
 * and stores, 1 for event targets, whose fan-out retries and reports. HTTP/1.1 also for Kinesis, whose
 * client would otherwise open HTTP/2 sessions that outlive an aborted call.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { EvidentlyClient } from '@aws-sdk/client-evidently';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import type { PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { onDemand } from './on-demand.ts';

export interface AwsClients {
  personalizeRuntime(): PersonalizeRuntimeClient;
  lambda(): LambdaClient;
  sagemakerRuntime(): SageMakerRuntimeClient;
  /** Item metadata: DynamoDB tables; the event ledger. */
  dynamodb(): DynamoDBClient;
  /** Item metadata: localdb files synced from the staging bucket. */
  s3(): S3Client;
  /** Event targets: one attempt per call, the fan-out retries (it sees and reports every failure). */
  personalizeEvents(): PersonalizeEventsClient;
  kinesis(): KinesisClient;
  firehose(): FirehoseClient;
  eventBridge(): EventBridgeClient;
  /** Loaded and built on first use (its callers load their own module on first use too). */
  evidently(): Promise<EvidentlyClient>;
  /**
   * Imports the SDK packages of these clients (each once); their accessors work from then on. An
   * accessor called before is a wiring mistake and throws.
   */
  load(...names: ClientName[]): Promise<void>;
  /** Closes the sockets of every client built so far (shutdown). */
  destroy(): void;
}

export type ClientName = Exclude<keyof AwsClients, 'destroy' | 'load'>;

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

type ClientConfig = Record<string, unknown>;
interface Client {
  destroy(): void;
}
type ClientClass = new (config: ClientConfig) => Client;

/** Each client's package, imported on first need; event targets get one attempt per call. */
const PACKAGES: Record<ClientName, { load: () => Promise<ClientClass>; maxAttempts?: number }> = {
  personalizeRuntime: {
    load: async () => (await import('./aws-client-classes/personalize-runtime.ts')).PersonalizeRuntimeClient,
  },
  lambda: { load: async () => (await import('./aws-client-classes/lambda.ts')).LambdaClient },
  sagemakerRuntime: {
    load: async () => (await import('./aws-client-classes/sagemaker-runtime.ts')).SageMakerRuntimeClient,
  },
  dynamodb: { load: async () => (await import('./aws-client-classes/dynamodb.ts')).DynamoDBClient },
  s3: { load: async () => (await import('./aws-client-classes/s3.ts')).S3Client },
  personalizeEvents: {
    load: async () => (await import('./aws-client-classes/personalize-events.ts')).PersonalizeEventsClient,
    maxAttempts: 1,
  },
  kinesis: { load: async () => (await import('./aws-client-classes/kinesis.ts')).KinesisClient, maxAttempts: 1 },
  firehose: { load: async () => (await import('./aws-client-classes/firehose.ts')).FirehoseClient, maxAttempts: 1 },
  eventBridge: {
    load: async () => (await import('./aws-client-classes/eventbridge.ts')).EventBridgeClient,
    maxAttempts: 1,
  },
  evidently: { load: async () => (await import('./aws-client-classes/evidently.ts')).EvidentlyClient, maxAttempts: 1 },
};

/**
 * @example
 * const clients = createAwsClients({ region: 'eu-west-1' });
 * await clients.load('personalizeRuntime');
 * await clients.personalizeRuntime().send(new GetRecommendationsCommand({ ... }), { abortSignal: deadline.signal });
 */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const built: Client[] = [];
  const bounded = onDemand(() => import('./bounded-client-config.ts'));
  const classes = new Map(
    (Object.keys(PACKAGES) as ClientName[]).map((name) => [
      name,
      onDemand(async () => (await Promise.all([PACKAGES[name].load(), bounded.load()]))[0]),
    ]),
  );
  const accessor = <T>(name: ClientName): (() => T) => {
    let client: Client | undefined;
    return () => {
      if (!client) {
        const Class = classes.get(name)!.current;
        const config = bounded.current;
        if (!Class || !config) throw new Error(`the ${name} client was used before AwsClients.load('${name}')`);
        const { maxAttempts = options.maxAttempts ?? config.DEFAULT_MAX_ATTEMPTS } = PACKAGES[name];
        client = new Class({
          ...(options.region ? { region: options.region } : {}),
          ...config.boundedClientConfig(maxAttempts),
          ...(options.endpoints?.[name] ? { endpoint: options.endpoints[name] } : {}),
          ...(options.disableHostPrefix ? { disableHostPrefix: true } : {}),
        });
        built.push(client);
      }
      return client as T;
    };
  };
  const load = async (...names: ClientName[]) => {
    await Promise.all(names.map((name) => classes.get(name)!.load()));
  };
  const evidently = accessor<EvidentlyClient>('evidently');
  return {
    personalizeRuntime: accessor('personalizeRuntime'),
    lambda: accessor('lambda'),
    sagemakerRuntime: accessor('sagemakerRuntime'),
    dynamodb: accessor('dynamodb'),
    s3: accessor('s3'),
    personalizeEvents: accessor('personalizeEvents'),
    kinesis: accessor('kinesis'),
    firehose: accessor('firehose'),
    eventBridge: accessor('eventBridge'),
    evidently: async () => {
      await load('evidently');
      return evidently();
    },
    load,
    destroy() {
      for (const client of built.splice(0)) client.destroy();
    },
  };
}
