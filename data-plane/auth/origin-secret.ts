/**
 * Where CloudFront is the entry, the API Gateway URL behind it is public too (it is a stack output), and
 * only CloudFront runs the edge-auth function and the web ACL. CloudFront adds a secret origin header to
 * every request it forwards; the data plane refuses requests without it, so calling the execute-api URL
 * directly gets a 403. The secret lives in Secrets Manager; it is compared in constant time (SHA-256
 * digests of both sides, so neither the content nor the length leaks through timing).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { MiddlewareHandler } from 'hono';
import { ORIGIN_SECRET_HEADER } from '../../contracts/origin-secret.ts';
import { ApiError } from '../errors.ts';

/** 403: the request did not come through the deployment's CloudFront distribution. */
export class NotThroughCdnError extends ApiError {
  override name = 'NotThroughCdnError';
  constructor() {
    super(403, 'ClientError', 'Forbidden', 'call this API through its CloudFront URL');
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * @example
 * const app = createApp({ ...deps, auth: requireOriginSecret(await loadOriginSecret(client, arn)) });
 */
export function requireOriginSecret(secret: string): MiddlewareHandler {
  if (secret.length < 32) throw new TypeError('the origin secret must be at least 32 characters');
  const expected = digest(secret);
  return async (c, next) => {
    const given = c.req.header(ORIGIN_SECRET_HEADER);
    if (given === undefined || !timingSafeEqual(digest(given), expected)) throw new NotThroughCdnError();
    await next();
  };
}

/** Reads the secret once, at cold start. */
export async function loadOriginSecret(client: SecretsManagerClient, secretArn: string): Promise<string> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!out.SecretString) throw new TypeError(`secret ${secretArn} has no string value`);
  return out.SecretString;
}
