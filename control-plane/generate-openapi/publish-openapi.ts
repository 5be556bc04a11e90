/**
 * The generate-openapi task's core: render the document for the changed configuration and store it at
 * `openapi/openapi.json` in the staging bucket, where Swagger UI and users pick it up.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AuthScheme } from '../../contracts/auth-schemes.ts';
import { generateOpenApi } from '../../contracts/openapi/generate-openapi.ts';
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import type { Logger } from '../../shared/logger.ts';
import type { GenerateOpenApiResult } from '../../state-machines/sync-resources-payload.ts';

const OPENAPI_KEY = 'openapi/openapi.json';

export interface PublishOpenApiDeps {
  s3: S3Client;
  stagingBucket: string;
  servers: string[];
  auth: AuthScheme;
  logger: Logger;
}

/**
 * @example
 * await publishOpenApi(resolved, { s3, stagingBucket: 'p13n-staging', servers: ['https://api.example.com'], auth: 'ApiKey', logger });
 */
export async function publishOpenApi(
  resolved: ResolvedConfig,
  deps: PublishOpenApiDeps,
): Promise<GenerateOpenApiResult> {
  const doc = generateOpenApi(resolved, { servers: deps.servers, auth: deps.auth });
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.stagingBucket,
      Key: OPENAPI_KEY,
      Body: JSON.stringify(doc, null, 2),
      ContentType: 'application/json',
      CacheControl: 'no-cache',
    }),
  );
  const paths = Object.keys(doc.paths).length;
  deps.logger.info('OpenAPI document written', {
    bucket: deps.stagingBucket,
    key: OPENAPI_KEY,
    version: doc.info.version,
    paths,
  });
  return { status: 'ok', location: `s3://${deps.stagingBucket}/${OPENAPI_KEY}`, paths };
}
