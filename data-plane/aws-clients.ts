/**
 * The AWS SDK v3 clients the data plane calls, built lazily (a deployment that only uses HTTP origins
 * never loads the Lambda client's credentials chain) and once each. The SDK itself honours
 * `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>`, so emulators work without code here; `endpoint`
 * is only set when a caller passes one explicitly (tests).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
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
}

export interface AwsClientOptions {
  region?: string;
  /** Retries per call (the SDK default is 3); origin timeouts bound the total anyway. */
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
  const config = (name: keyof AwsClients) => ({
    ...(options.region ? { region: options.region } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.endpoints?.[name] ? { endpoint: options.endpoints[name] } : {}),
  });
  return {
    personalizeRuntime: once(() => new PersonalizeRuntimeClient(config('personalizeRuntime'))),
    lambda: once(() => new LambdaClient(config('lambda'))),
    sagemakerRuntime: once(() => new SageMakerRuntimeClient(config('sagemakerRuntime'))),
    dynamodb: once(() => new DynamoDBClient(config('dynamodb'))),
    s3: once(() => new S3Client(config('s3'))),
  };
}
