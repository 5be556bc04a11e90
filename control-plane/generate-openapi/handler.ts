/** Lambda entry of the sync-resources `GenerateOpenApi` task (input: the change event's `detail`). */
import { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { boundedClientConfig } from '../../shared/bounded-client-config.ts';
import { configChangeDetailSchema, type GenerateOpenApiResult } from '../../state-machines/sync-resources-payload.ts';
import { envFields } from '../env.ts';
import { createLogger } from '../logger.ts';
import { parseInput } from '../parse-input.ts';
import { resolveDetailConfig } from '../resolve-detail-config.ts';
import { type PublishOpenApiDeps, publishOpenApi } from './publish-openapi.ts';

const envSchema = z.object({
  P13N_STAGING_BUCKET: envFields.P13N_STAGING_BUCKET,
  P13N_API_URLS: envFields.P13N_API_URLS,
  P13N_AUTH_SCHEME: envFields.P13N_AUTH_SCHEME,
});

let deps: PublishOpenApiDeps | undefined;

function coldStart(): PublishOpenApiDeps {
  const env = parseInput(envSchema, process.env, 'environment');
  const logger = createLogger('generate-openapi');
  if (env.P13N_API_URLS.length === 0) logger.info('P13N_API_URLS is not set; the document lists no servers');
  return {
    s3: new S3Client(boundedClientConfig()),
    stagingBucket: env.P13N_STAGING_BUCKET,
    servers: env.P13N_API_URLS,
    auth: env.P13N_AUTH_SCHEME,
    logger,
  };
}

export async function handler(event: unknown): Promise<GenerateOpenApiResult> {
  deps ??= coldStart();
  const detail = parseInput(configChangeDetailSchema, event, 'configuration-change detail');
  return publishOpenApi(resolveDetailConfig(detail), deps);
}
