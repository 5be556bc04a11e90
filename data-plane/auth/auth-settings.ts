/**
 * The authentication settings of `p13n serve`, from its flags and environment, validated once at start:
 * API key hashes from `--api-keys-file` (one SHA-256 hex hash per line, `#` comments), from
 * `P13N_API_KEY_HASHES` (comma-separated hashes) or `P13N_API_KEYS` (comma-separated keys, hashed at
 * once and not kept); a JWKS URL with optional issuer and audience from `--jwt-jwks-url`,
 * `--jwt-issuer`, `--jwt-audience` (or `P13N_JWT_JWKS_URL`, `P13N_JWT_ISSUER`, `P13N_JWT_AUDIENCE`).
 * Nothing configured means no authentication.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { hashApiKey, isApiKeyHash } from './api-keys.ts';
import type { AuthOptions } from './middleware.ts';

export interface AuthFlags {
  apiKeysFile?: string;
  jwtJwksUrl?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
}

export class AuthSettingsError extends Error {
  override name = 'AuthSettingsError';
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

const authEnvSchema = z.object({
  P13N_API_KEY_HASHES: z.string().optional(),
  P13N_API_KEYS: z.string().optional(),
  P13N_JWT_JWKS_URL: z.string().optional(),
  P13N_JWT_ISSUER: z.string().optional(),
  P13N_JWT_AUDIENCE: z.string().optional(),
});

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

function checkedHashes(hashes: string[], where: (index: number) => string): string[] {
  return hashes.map((hash, i) => {
    const lower = hash.toLowerCase();
    if (!isApiKeyHash(lower)) throw new AuthSettingsError(`${where(i)}: not a SHA-256 hex hash (64 hex characters)`);
    return lower;
  });
}

async function hashesFromFile(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AuthSettingsError(`--api-keys-file ${file}: ${(err as Error).message}`);
  }
  const lines = text.split(/\r?\n/).map((line, i) => ({ line: line.replace(/#.*/, '').trim(), number: i + 1 }));
  const kept = lines.filter((l) => l.line);
  const hashes = checkedHashes(
    kept.map((l) => l.line),
    (i) => `--api-keys-file ${file} line ${kept[i]!.number}`,
  );
  if (hashes.length === 0) throw new AuthSettingsError(`--api-keys-file ${file} holds no API key hashes`);
  return hashes;
}

/**
 * Undefined when no authentication is configured.
 *
 * @example
 * const auth = await authSettings({ jwtJwksUrl: 'https://idp.example/jwks.json' }, process.env);
 * if (auth) createApp({ ...deps, auth: authMiddleware(auth, logger) });
 */
export async function authSettings(
  flags: AuthFlags,
  source: Record<string, string | undefined>,
): Promise<AuthOptions | undefined> {
  const env = authEnvSchema.parse(source);
  const apiKeyHashes = [
    ...(flags.apiKeysFile ? await hashesFromFile(flags.apiKeysFile) : []),
    ...checkedHashes(list(env.P13N_API_KEY_HASHES), (i) => `P13N_API_KEY_HASHES entry ${i + 1}`),
    ...list(env.P13N_API_KEYS).map(hashApiKey),
  ];

  const jwksUrl = flags.jwtJwksUrl ?? env.P13N_JWT_JWKS_URL;
  const issuer = flags.jwtIssuer ?? env.P13N_JWT_ISSUER;
  const audience = list(flags.jwtAudience ?? env.P13N_JWT_AUDIENCE);
  if (!jwksUrl && (issuer || audience.length > 0)) {
    throw new AuthSettingsError('--jwt-issuer and --jwt-audience need --jwt-jwks-url');
  }
  if (jwksUrl && !httpUrl.safeParse(jwksUrl).success) {
    throw new AuthSettingsError(`--jwt-jwks-url must be an http(s) URL, got '${jwksUrl}'`);
  }

  if (apiKeyHashes.length === 0 && !jwksUrl) return undefined;
  return {
    ...(apiKeyHashes.length > 0 ? { apiKeyHashes } : {}),
    ...(jwksUrl
      ? { jwt: { jwksUrl, ...(issuer ? { issuer } : {}), ...(audience.length > 0 ? { audience } : {}) } }
      : {}),
  };
}
