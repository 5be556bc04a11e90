/**
 * Lambda entry of a destination's delivery function (SQS event source with ReportBatchItemFailures).
 * The destination's credentials come from Secrets Manager (Braze: `{"apiKey", "endpoint"}`, webhook:
 * `{"signingSecret"}`), cached for five minutes so a rotated secret is picked up without a deploy.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { createLogger } from '../../control-plane/logger.ts';
import { parseInput } from '../../control-plane/parse-input.ts';
import { boundedClientConfig } from '../../shared/bounded-client-config.ts';
import { type DeliverDeps, deliverMessages } from '../deliver-messages.ts';
import { BRAZE_WINDOW_MS, brazeSender } from '../destinations/braze.ts';
import type { DestinationSender } from '../destinations/types.ts';
import { webhookSender } from '../destinations/webhook.ts';
import { dynamodbSyncState } from '../dynamodb-tables.ts';
import { DestinationError } from '../errors.ts';
import { webhookConnectorSchema } from '../job-config.ts';
import { createRateLimiter } from '../rate-limiter.ts';

const envSchema = z.object({
  P13N_CONNECTORS_STATE_TABLE: z.string().min(1),
  P13N_CONNECTORS_DLQ_URL: z.url(),
  P13N_CONNECTORS_SECRET_ARN: z.string().startsWith('arn:'),
  /** Requests per 3 s for this container: the destination's limit divided by the function's concurrency. */
  P13N_CONNECTORS_REQUESTS_PER_WINDOW: z.coerce.number().int().min(1).default(270),
});

const brazeSecret = z.object({ apiKey: z.string().min(1), endpoint: z.url() });
const webhookSecret = z.object({ signingSecret: z.string().min(16) });
const SECRET_TTL_MS = 5 * 60_000;

function coldStart(): DeliverDeps {
  const env = parseInput(envSchema, process.env, 'environment');
  const secrets = new SecretsManagerClient(boundedClientConfig());
  const dynamodb = new DynamoDBClient(boundedClientConfig());
  const limiter = createRateLimiter({ limit: env.P13N_CONNECTORS_REQUESTS_PER_WINDOW, windowMs: BRAZE_WINDOW_MS });
  // The promise is cached, not its value: the messages of one batch are delivered at once, and all of
  // them would otherwise miss an empty cache and each read the secret.
  let cached: { value: Promise<unknown>; at: number } | undefined;
  const secret = (): Promise<unknown> => {
    if (!cached || Date.now() - cached.at > SECRET_TTL_MS) {
      const value = secrets
        .send(new GetSecretValueCommand({ SecretId: env.P13N_CONNECTORS_SECRET_ARN }))
        .then((out) => {
          try {
            return JSON.parse(out.SecretString ?? '') as unknown;
          } catch {
            throw new DestinationError('the destination secret is not a JSON object');
          }
        });
      const entry = { value, at: Date.now() };
      cached = entry;
      // A failed read is not kept: the next message tries again.
      value.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.value;
  };
  const parseSecret = <S extends z.ZodType>(schema: S, value: unknown): z.output<S> => {
    const parsed = schema.safeParse(value);
    // Name the fields, never the values.
    if (!parsed.success)
      throw new DestinationError(
        `the destination secret lacks ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      );
    return parsed.data;
  };
  return {
    async sender(message): Promise<DestinationSender> {
      if (message.connector === 'braze') return brazeSender(parseSecret(brazeSecret, await secret()), { limiter });
      const { signingSecret } = parseSecret(webhookSecret, await secret());
      const config = webhookConnectorSchema.parse({ url: message.url });
      return webhookSender(config, signingSecret, { limiter });
    },
    state: (stateKey) => dynamodbSyncState({ client: dynamodb, tableName: env.P13N_CONNECTORS_STATE_TABLE }, stateKey),
    sqs: new SQSClient(boundedClientConfig()),
    deadLetterQueueUrl: env.P13N_CONNECTORS_DLQ_URL,
    logger: createLogger('connectors-deliver'),
  };
}

let deps: DeliverDeps | undefined;

export async function handler(event: SQSEvent) {
  deps ??= coldStart();
  return deliverMessages(event, deps);
}
