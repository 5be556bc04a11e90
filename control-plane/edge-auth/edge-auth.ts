/**
 * Lambda@Edge viewer-request authentication for the OAuth2-Cognito scheme: a request passes to the
 * cache and origin only with a valid Cognito access or ID token of the configured app client in
 * `Authorization: Bearer …`; anything else gets a 401 with `WWW-Authenticate: Bearer` from the edge.
 * CORS preflights (OPTIONS) pass without a token, since browsers never send credentials with them.
 * The verifier, and so the user pool's JWKS, is kept for the life of the container.
 */

import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import type { CloudFrontRequestEvent, CloudFrontRequestResult, CloudFrontResultResponse } from 'aws-lambda';

export interface EdgeAuthOptions {
  userPoolId: string;
  /** App client ID(s) whose tokens are accepted. */
  clientId: string | string[];
  /** Region of the user pool; when given it must match the pool ID's prefix. */
  region?: string;
  /** Where JWKS come from; tests point it at a local server. Default: fetched from Cognito and cached. */
  jwksCache?: JwksCache;
}

export type EdgeAuthHandler = (event: CloudFrontRequestEvent) => Promise<CloudFrontRequestResult>;

const REALM = 'personalization-apis';

function unauthorized(challenge: string, message: string): CloudFrontResultResponse {
  return {
    status: '401',
    statusDescription: 'Unauthorized',
    headers: {
      'www-authenticate': [{ key: 'WWW-Authenticate', value: challenge }],
      'content-type': [{ key: 'Content-Type', value: 'application/json' }],
      'cache-control': [{ key: 'Cache-Control', value: 'no-store' }],
      'access-control-allow-origin': [{ key: 'Access-Control-Allow-Origin', value: '*' }],
    },
    body: JSON.stringify({ type: 'ClientError', code: 'Unauthorized', message }),
  };
}

/** Quotes a value for an auth-param of a WWW-Authenticate challenge. */
const quoted = (value: string) => `"${value.replace(/["\\]/g, "'")}"`;

/**
 * @example
 * export const handler = createEdgeAuthHandler({ userPoolId: 'us-east-1_AbCdEf', clientId: '1example23456789' });
 */
export function createEdgeAuthHandler(options: EdgeAuthOptions): EdgeAuthHandler {
  const poolRegion = options.userPoolId.split('_')[0];
  if (options.region && options.region !== poolRegion) {
    throw new Error(`user pool ${options.userPoolId} is not in region ${options.region}`);
  }
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: options.userPoolId, clientId: options.clientId, tokenUse: null },
    options.jwksCache ? { jwksCache: options.jwksCache } : undefined,
  );

  return async (event) => {
    const request = event.Records[0]?.cf.request;
    if (!request) return unauthorized(`Bearer realm="${REALM}"`, 'no request in the event');
    if (request.method === 'OPTIONS') return request;

    const header = request.headers.authorization?.[0]?.value ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      return unauthorized(`Bearer realm="${REALM}"`, 'an Authorization header with a Bearer token is required');
    }
    try {
      await verifier.verify(match[1]);
      return request;
    } catch (err) {
      const reason = (err as Error).message;
      return unauthorized(
        `Bearer realm="${REALM}", error="invalid_token", error_description=${quoted(reason)}`,
        `invalid token: ${reason}`,
      );
    }
  };
}
