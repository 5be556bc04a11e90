/**
 * Bearer JWTs for `p13n serve`, checked against the signing keys of a JWKS URL (jose's remote key set
 * fetches the keys once and caches them, refetching only for an unknown key ID, at most every 30 s),
 * with optional issuer and audience checks. Expiry and not-before are always enforced: a token must
 * carry `exp`, and one that expires further ahead than `maxLifetimeSeconds` (24 h by default) is refused,
 * so a leaked long-lived token is not good forever.
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';

export interface JwtOptions {
  jwksUrl: string;
  /** Required `iss`. */
  issuer?: string;
  /** Accepted `aud` values; the token must name one. */
  audience?: string[];
  /** How far ahead `exp` may be (default 86 400 s). */
  maxLifetimeSeconds?: number;
}

export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

/** A token the client must replace (bad signature, expired, wrong issuer…); the message is safe to show. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

/** Why a token was refused, in words a client can act on; never the token or key material. */
function refusal(err: unknown): string | undefined {
  if (err instanceof errors.JWTExpired) return 'the token has expired';
  if (err instanceof errors.JWTClaimValidationFailed && err.reason === 'missing') {
    return `the token has no ${err.claim} claim`;
  }
  if (err instanceof errors.JWTClaimValidationFailed) return `the token's ${err.claim} claim is not accepted`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is not valid';
  if (err instanceof errors.JWKSNoMatchingKey) return 'the token is not signed by a known key';
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return 'the token uses an unsupported algorithm';
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'the token is malformed';
  // The key set could not be fetched or read: not the client's fault.
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return undefined;
  if (err instanceof errors.JOSEError) return 'the token is not valid';
  return undefined;
}

/**
 * Returns the token's claims, or throws InvalidTokenError for a token the client got wrong; anything
 * else (JWKS unreachable or invalid) is rethrown as is — the server's problem, not the client's.
 *
 * @example
 * const verify = jwtVerifier({ jwksUrl: 'https://idp.example/.well-known/jwks.json', issuer: 'https://idp.example/' });
 * const claims = await verify(token);
 */
export function jwtVerifier(
  options: JwtOptions,
  clock: () => number = Date.now,
): (token: string) => Promise<JWTPayload> {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl));
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['exp'],
        currentDate: new Date(clock()),
      }));
    } catch (err) {
      const reason = refusal(err);
      if (reason) throw new InvalidTokenError(reason, { cause: err });
      throw err;
    }
    if ((payload.exp as number) > clock() / 1000 + maxLifetime) {
      throw new InvalidTokenError(`the token expires more than ${maxLifetime} s from now`);
    }
    return payload;
  };
}
