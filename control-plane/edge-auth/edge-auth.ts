/**
 * Lambda@Edge viewer-request authentication for the OAuth2-Cognito scheme: a request passes to the
 * cache and origin only with a valid Cognito access or ID token of the configured app client in
 * `Authorization: Bearer …`; anything else gets a 401 with `WWW-Authenticate: Bearer` from the edge.
 * CORS preflights (OPTIONS) pass without a token, since browsers never send credentials with them.
 * The verifier, and so the user pool's JWKS, is kept for the life of the container. The reason given
 * for a refusal is one of a few fixed texts, never the token's own content (a claim holding CR/LF would
 * otherwise reach a response header); a key set that cannot be fetched is a 503, not the client's fault.
 */

import { CognitoJwtVerifier } from 'aws-jwt-verify';
import {
  FetchError,
  JwksValidationError,
  JwkValidationError,
  JwtBaseError,
  JwtExpiredError,
  JwtInvalidClaimError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
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

function unavailable(): CloudFrontResultResponse {
  return {
    status: '503',
    statusDescription: 'Service Unavailable',
    headers: {
      'retry-after': [{ key: 'Retry-After', value: '5' }],
      'content-type': [{ key: 'Content-Type', value: 'application/json' }],
      'cache-control': [{ key: 'Cache-Control', value: 'no-store' }],
      'access-control-allow-origin': [{ key: 'Access-Control-Allow-Origin', value: '*' }],
    },
    body: JSON.stringify({
      type: 'ServerError',
      code: 'AuthenticationUnavailable',
      message: 'tokens cannot be checked right now; retry later',
    }),
  };
}

/** Why a token was refused, in fixed words; undefined when the key set, not the token, is the problem. */
function refusal(err: unknown): string | undefined {
  const keySetProblem =
    err instanceof FetchError || err instanceof JwksValidationError || err instanceof JwkValidationError;
  // Whatever a token can cause is a JwtBaseError; anything else (a network error) is ours.
  if (keySetProblem || !(err instanceof JwtBaseError)) return undefined;
  if (err instanceof JwtExpiredError) return 'the token has expired';
  if (err instanceof JwtNotBeforeError) return 'the token is not valid yet';
  if (err instanceof JwtInvalidSignatureAlgorithmError) return 'the token uses an unsupported algorithm';
  if (err instanceof JwtInvalidClaimError) return 'a claim of the token is not accepted';
  if (err instanceof JwtInvalidSignatureError) return 'the token signature is not valid';
  if (err instanceof KidNotFoundInJwksError || err instanceof WaitPeriodNotYetEndedJwkError) {
    return 'the token is not signed by a known key';
  }
  if (err instanceof JwtParseError) return 'the token is malformed';
  return 'the token is not valid';
}

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
      const reason = refusal(err);
      if (reason === undefined) return unavailable();
      return unauthorized(
        `Bearer realm="${REALM}", error="invalid_token", error_description="${reason}"`,
        `invalid token: ${reason}`,
      );
    }
  };
}
