/**
 * What every connectors Lambda reads from its environment, validated once at cold start, and the
 * clients built from it, each bounded like every AWS client of the project (connect and socket
 * timeouts, bounded attempts: boundedClientConfig). Names of secrets, tables and queues only: the
 * Braze key and the webhook secret are read from Secrets Manager at run time and never logged.
 */
import { tmpdir } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { createLogger } from '../../control-plane/logger.ts';
import { parseInput } from '../../control-plane/parse-input.ts';
import { boundedClientConfig } from '../../shared/bounded-client-config.ts';
import type { CloudDeps } from '../cloud-steps.ts';

const optional = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

export const connectorsEnvSchema = z.object({
  P13N_CONNECTORS_BUCKET: optional,
  P13N_CONNECTORS_STATE_TABLE: z.string().min(1),
  P13N_CONNECTORS_INDEX_TABLE: z.string().min(1),
  P13N_CONNECTORS_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(10_000).default(20),
  P13N_CONNECTORS_FILES_PER_BATCH: z.coerce.number().int().min(1).max(1000).default(1),
  P13N_CONNECTORS_BRAZE_QUEUE_URL: optional,
  P13N_CONNECTORS_WEBHOOK_QUEUE_URL: optional,
  P13N_STAGING_BUCKET: optional,
  AWS_ENDPOINT_URL: optional,
  AWS_ENDPOINT_URL_S3: optional,
});

export function cloudDepsFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): CloudDeps {
  const parsed = parseInput(connectorsEnvSchema, env, 'environment');
  return {
    s3: new S3Client({
      ...boundedClientConfig(),
      // Emulators answer on one host, not per-bucket subdomains.
      forcePathStyle: (parsed.AWS_ENDPOINT_URL_S3 ?? parsed.AWS_ENDPOINT_URL) !== undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    dynamodb: new DynamoDBClient(boundedClientConfig()),
    sqs: new SQSClient(boundedClientConfig()),
    tables: { state: parsed.P13N_CONNECTORS_STATE_TABLE, index: parsed.P13N_CONNECTORS_INDEX_TABLE },
    connectorsBucket: parsed.P13N_CONNECTORS_BUCKET,
    stagingBucket: parsed.P13N_STAGING_BUCKET,
    queues: { braze: parsed.P13N_CONNECTORS_BRAZE_QUEUE_URL, webhook: parsed.P13N_CONNECTORS_WEBHOOK_QUEUE_URL },
    maxConcurrency: parsed.P13N_CONNECTORS_MAX_CONCURRENCY,
    filesPerBatch: parsed.P13N_CONNECTORS_FILES_PER_BATCH,
    scratchDir: tmpdir(),
    now: () => new Date(),
    logger: createLogger(`connectors-${name}`),
  };
}
