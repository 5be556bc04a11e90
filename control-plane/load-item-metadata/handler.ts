/** Lambda entry of the `load-item-metadata` state machine's task (input: the S3 Object Created event). */
import { AppConfigDataClient } from '@aws-sdk/client-appconfigdata';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { importItems } from '../../contracts/item-metadata/import-items.ts';
import { boundedClientConfig } from '../../shared/bounded-client-config.ts';
import {
  type LoadItemMetadataResult,
  objectCreatedEventSchema,
} from '../../state-machines/load-item-metadata-payload.ts';
import { envFields } from '../env.ts';
import { createLogger } from '../logger.ts';
import { parseInput } from '../parse-input.ts';
import { fetchAppConfig } from './fetch-appconfig.ts';
import { type LoadItemMetadataDeps, loadItemMetadata } from './load-item-metadata.ts';

const envSchema = z.object({
  P13N_STAGING_BUCKET: envFields.P13N_STAGING_BUCKET,
  P13N_APPCONFIG_APPLICATION: z.string().min(1),
  P13N_APPCONFIG_ENVIRONMENT: z.string().min(1),
  P13N_APPCONFIG_PROFILE: z.string().min(1),
});

let deps: LoadItemMetadataDeps | undefined;

function coldStart(): LoadItemMetadataDeps {
  const env = parseInput(envSchema, process.env, 'environment');
  const appConfigData = new AppConfigDataClient(boundedClientConfig());
  const where = {
    application: env.P13N_APPCONFIG_APPLICATION,
    environment: env.P13N_APPCONFIG_ENVIRONMENT,
    profile: env.P13N_APPCONFIG_PROFILE,
  };
  return {
    s3: new S3Client(boundedClientConfig()),
    dynamodb: new DynamoDBClient(boundedClientConfig()),
    stagingBucket: env.P13N_STAGING_BUCKET,
    loadConfig: () => fetchAppConfig(appConfigData, where),
    importItems,
    logger: createLogger('load-item-metadata'),
  };
}

export async function handler(event: unknown): Promise<LoadItemMetadataResult> {
  deps ??= coldStart();
  return loadItemMetadata(parseInput(objectCreatedEventSchema, event, 'S3 Object Created event'), deps);
}
