/** The connectors Lambdas' clients are bounded like every other AWS client of the project (shared/bounded-client-config.ts). */
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { describe, expect, it } from 'vitest';
import { cloudDepsFromEnv } from '../../connectors/handlers/cloud-deps.ts';
import {
  CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  SOCKET_IDLE_TIMEOUT_MS,
} from '../../shared/bounded-client-config.ts';

describe('cloudDepsFromEnv', () => {
  it('builds S3, DynamoDB and SQS clients with connect and socket timeouts and bounded attempts', async () => {
    const deps = cloudDepsFromEnv('test', {
      P13N_CONNECTORS_STATE_TABLE: 'state',
      P13N_CONNECTORS_INDEX_TABLE: 'index',
    });
    for (const client of [deps.s3, deps.dynamodb, deps.sqs!]) {
      expect(await client.config.maxAttempts()).toBe(DEFAULT_MAX_ATTEMPTS);
      const handler = client.config.requestHandler;
      expect(handler).toBeInstanceOf(NodeHttpHandler);
      // The handler's resolved options (not part of its public surface, but the bound itself).
      const options = await (handler as unknown as { configProvider: Promise<Record<string, unknown>> }).configProvider;
      expect(options).toMatchObject({ connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: SOCKET_IDLE_TIMEOUT_MS });
      client.destroy();
    }
  });
});
