/**
 * Optional authentication for `p13n serve`: every request must carry a valid API key (`X-Api-Key`)
 * or a valid bearer JWT (`Authorization: Bearer …`), whichever the server was given. The API
 * description (`/openapi.json`), Swagger UI (`/docs`) and CORS preflight stay open. A refusal throws
 * `UnauthorizedError` (401 with a `WWW-Authenticate` challenge) and an unreachable JWKS
 * `AuthenticationUnavailableError` (503); the app's `onError` answers both like every other error.
 */
import type { MiddlewareHandler } from 'hono';
import { describeError, type Logger } from '../../shared/logger.ts';
import { AuthenticationUnavailableError, UnauthorizedError } from '../errors.ts';
import { apiKeyVerifier } from './api-keys.ts';
import { InvalidTokenError, type JwtOptions, jwtVerifier } from './jwt.ts';

export interface AuthOptions {
  /** SHA-256 hex hashes of the accepted API keys. */
  apiKeyHashes?: readonly string[];
  jwt?: JwtOptions;
}

const REALM = 'personalization-apis';
const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/** Paths anyone may read: the API description and its UI. */
function isOpenPath(path: string): boolean {
  return path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/');
}

/**
 * @example
 * const auth = authMiddleware({ apiKeyHashes: [hashApiKey('s3cret')] }, logger);
 * const app = createApp({ ...deps, auth });
 */
export function authMiddleware(options: AuthOptions, logger: Logger): MiddlewareHandler {
  const apiKeys = options.apiKeyHashes?.length ? apiKeyVerifier(options.apiKeyHashes) : undefined;
  const jwt = options.jwt ? jwtVerifier(options.jwt) : undefined;
  if (!apiKeys && !jwt) throw new TypeError('authentication needs API key hashes or a JWKS URL');

  const challenge = (tokenError?: string) =>
    [
      ...(jwt
        ? [
            tokenError
              ? `Bearer realm="${REALM}", error="invalid_token", error_description="${tokenError}"`
              : `Bearer realm="${REALM}"`,
          ]
        : []),
      ...(apiKeys ? [`ApiKey realm="${REALM}"`] : []),
    ].join(', ');
  const expected = [apiKeys ? 'an X-Api-Key header' : '', jwt ? 'an Authorization: Bearer token' : '']
    .filter(Boolean)
    .join(' or ');

  return async (c, next) => {
    if (c.req.method === 'OPTIONS' || isOpenPath(c.req.path)) return next();
    const refuse = (message: string, tokenError?: string) => {
      throw new UnauthorizedError(message, challenge(tokenError));
    };

    const key = c.req.header('x-api-key');
    if (apiKeys && key !== undefined) {
      if (apiKeys(key)) return next();
      return refuse('the API key is not valid');
    }
    const authorization = c.req.header('authorization');
    if (jwt && authorization !== undefined) {
      const token = BEARER.exec(authorization)?.[1];
      if (!token) return refuse('the Authorization header must be "Bearer <token>"', 'malformed Authorization header');
      try {
        await jwt(token);
      } catch (err) {
        if (err instanceof InvalidTokenError) return refuse(err.message, err.message);
        logger.error('cannot check bearer tokens: the JWKS is unavailable', { error: describeError(err) });
        throw new AuthenticationUnavailableError({ cause: err });
      }
      return next();
    }
    return refuse(`authentication required: send ${expected}`);
  };
}
