/**
 * Server-mode authentication: API keys (hashed) and bearer JWTs verified against a JWKS served by a
 * local HTTP server, with tokens signed by jose; the app's docs paths and CORS preflight stay open.
 */

import type { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyVerifier, hashApiKey } from '../../../data-plane/auth/api-keys.ts';
import { AuthSettingsError, authSettings } from '../../../data-plane/auth/auth-settings.ts';
import { type AuthOptions, authMiddleware } from '../../../data-plane/auth/middleware.ts';
import { buildApp } from '../../../data-plane/wiring.ts';
import { fakeOrigin, recordingLogger, swappableConfig, unusedClients } from '../../helpers/fake-origin.ts';
import { embeddedDefaultConfig, listeningUrl, startServe } from '../../helpers/serve-process.ts';

const ISSUER = 'https://idp.test/';
const AUDIENCE = 'personalization';

let jwks: Server;
let jwksUrl: string;
let jwksFetches = 0;
let signingKey: webcrypto.CryptoKey;
let strangerKey: webcrypto.CryptoKey;
let dir: string;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('ES256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  jwks = createServer((_req, res) => {
    jwksFetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  dir = mkdtempSync(join(tmpdir(), 'p13n-auth-'));
});
afterAll(async () => {
  jwks.closeAllConnections();
  await new Promise((resolve) => jwks.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function token(
  claims: JWTPayload = {},
  options: { key?: webcrypto.CryptoKey; expiresIn?: string | null; kid?: string } = {},
) {
  const jwt = new SignJWT({ sub: 'client-1', iss: ISSUER, aud: AUDIENCE, ...claims })
    .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'k1' })
    .setIssuedAt();
  if (options.expiresIn !== null) jwt.setExpirationTime(options.expiresIn ?? '5m');
  return jwt.sign(options.key ?? signingKey);
}

const config = {
  version: '1',
  namespaces: {
    shop: {
      recommenders: { 'recommend-items': { top: { variations: { a: { type: 'http', url: 'http://o.test' } } } } },
    },
  },
};

function app(auth: AuthOptions, logger = recordingLogger()) {
  return buildApp({
    config: swappableConfig(config),
    clients: unusedClients(),
    resolvers: { http: fakeOrigin().resolver },
    logger,
    auth: authMiddleware(auth, logger),
    extraRoutes: (routes) => {
      routes.get('/openapi.json', (c) => c.json({ openapi: '3.1.0' }));
      routes.get('/docs', (c) => c.html('<html></html>'));
    },
  });
}

const PATH = '/recommend-items/shop/top/u1';

describe('API keys', () => {
  const auth = { apiKeyHashes: [hashApiKey('key-one'), hashApiKey('key-two')] };

  it('accepts any configured key in X-Api-Key', async () => {
    for (const key of ['key-one', 'key-two']) {
      const res = await app(auth).request(PATH, { headers: { 'X-Api-Key': key } });
      expect(res.status).toBe(200);
    }
  });

  it('refuses a missing or wrong key with a 401 JSON error and a challenge', async () => {
    const missing = await app(auth).request(PATH);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('ApiKey realm="personalization-apis"');
    expect(await missing.json()).toEqual({
      type: 'ClientError',
      code: 'Unauthorized',
      message: 'authentication required: send an X-Api-Key header',
    });
    const wrong = await app(auth).request(PATH, { headers: { 'X-Api-Key': 'key-three' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'Unauthorized', message: 'the API key is not valid' });
    expect(wrong.headers.get('x-personalization-config-version')).toBe('1');
  });

  it('compares hashes, never plain keys', () => {
    const valid = apiKeyVerifier([hashApiKey('s3cret')]);
    expect(valid('s3cret')).toBe(true);
    expect(valid(hashApiKey('s3cret'))).toBe(false);
    expect(valid('')).toBe(false);
    expect(() => apiKeyVerifier(['s3cret'])).toThrow(/SHA-256/);
  });

  it('leaves /docs, /openapi.json and CORS preflight open', async () => {
    const a = app(auth);
    expect((await a.request('/openapi.json')).status).toBe(200);
    expect((await a.request('/docs')).status).toBe(200);
    const preflight = await a.request(PATH, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.test', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('X-Api-Key');
  });
});

describe('JWT with a JWKS URL', () => {
  const auth = () => ({ jwt: { jwksUrl, issuer: ISSUER, audience: [AUDIENCE] } });

  it('accepts a valid bearer token and fetches the key set once', async () => {
    const a = app(auth());
    const before = jwksFetches;
    for (let i = 0; i < 3; i++) {
      const res = await a.request(PATH, { headers: { Authorization: `Bearer ${await token()}` } });
      expect(res.status).toBe(200);
    }
    expect(jwksFetches - before).toBe(1);
  });

  it.each([
    ['expired', () => token({}, { expiresIn: '-1m' }), 'the token has expired'],
    ['without exp (it would never expire)', () => token({}, { expiresIn: null }), 'the token has no exp claim'],
    [
      'that expires more than 24 h ahead',
      () => token({}, { expiresIn: '25h' }),
      'the token expires more than 86400 s from now',
    ],
    ['from another issuer', () => token({ iss: 'https://evil.test/' }), "the token's iss claim is not accepted"],
    ['for another audience', () => token({ aud: 'other' }), "the token's aud claim is not accepted"],
    ['signed by an unknown key', () => token({}, { key: strangerKey }), 'the token signature is not valid'],
    ['with an unknown key ID', () => token({}, { kid: 'k9' }), 'the token is not signed by a known key'],
    ['garbage', async () => 'not.a.jwt', 'the token is malformed'],
  ])('refuses a token %s with 401 and an invalid_token challenge', async (_, make, message) => {
    const res = await app(auth()).request(PATH, { headers: { Authorization: `Bearer ${await make()}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ type: 'ClientError', code: 'Unauthorized', message });
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer realm="personalization-apis", error="invalid_token", error_description="${message}"`,
    );
  });

  it('refuses a request without a token, and a non-bearer Authorization header', async () => {
    const none = await app(auth()).request(PATH);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="personalization-apis"');
    const basic = await app(auth()).request(PATH, { headers: { Authorization: 'Basic dTpw' } });
    expect(basic.status).toBe(401);
    expect(await basic.json()).toMatchObject({ message: 'the Authorization header must be "Bearer <token>"' });
  });

  it('accepts either credential when both kinds are configured', async () => {
    const a = app({ ...auth(), apiKeyHashes: [hashApiKey('key-one')] });
    expect((await a.request(PATH, { headers: { 'X-Api-Key': 'key-one' } })).status).toBe(200);
    expect((await a.request(PATH, { headers: { Authorization: `Bearer ${await token()}` } })).status).toBe(200);
    const none = await a.request(PATH);
    expect(none.headers.get('www-authenticate')).toBe(
      'Bearer realm="personalization-apis", ApiKey realm="personalization-apis"',
    );
  });

  it('answers 503 and logs when the key set cannot be fetched', async () => {
    const logger = recordingLogger();
    const a = app({ jwt: { jwksUrl: 'http://127.0.0.1:1/jwks.json' } }, logger);
    const res = await a.request(PATH, { headers: { Authorization: `Bearer ${await token()}` } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ type: 'ServerError', code: 'AuthenticationUnavailable' });
    expect(logger.entries.map((e) => e.message)).toContain('cannot check bearer tokens: the JWKS is unavailable');
  });
});

describe('settings from flags and environment', () => {
  it('is off when nothing is configured', async () => {
    expect(await authSettings({}, {})).toBeUndefined();
  });

  it('reads hashes from a file (comments and blank lines ignored) and keys from the environment', async () => {
    const file = join(dir, 'keys.txt');
    writeFileSync(file, `# ops team\n${hashApiKey('a').toUpperCase()}\n\n${hashApiKey('b')}  # ci\n`);
    const settings = await authSettings(
      { apiKeysFile: file },
      { P13N_API_KEY_HASHES: hashApiKey('c'), P13N_API_KEYS: 'd, e' },
    );
    expect(settings?.apiKeyHashes).toEqual(['a', 'b', 'c', 'd', 'e'].map(hashApiKey));
  });

  it('builds the JWT settings, audience as a list', async () => {
    expect(
      await authSettings({ jwtJwksUrl: 'https://idp.test/jwks.json', jwtIssuer: ISSUER, jwtAudience: 'a, b' }, {}),
    ).toEqual({ jwt: { jwksUrl: 'https://idp.test/jwks.json', issuer: ISSUER, audience: ['a', 'b'] } });
    expect(await authSettings({}, { P13N_JWT_JWKS_URL: 'https://idp.test/k' })).toEqual({
      jwt: { jwksUrl: 'https://idp.test/k' },
    });
  });

  it.each([
    [{ apiKeysFile: '/nonexistent/keys.txt' }, {}, /--api-keys-file \/nonexistent\/keys.txt/],
    [{}, { P13N_API_KEY_HASHES: 'plain-key' }, /P13N_API_KEY_HASHES entry 1: not a SHA-256 hex hash/],
    [{ jwtIssuer: ISSUER }, {}, /need --jwt-jwks-url/],
    [{ jwtJwksUrl: 'ftp://idp.test/k' }, {}, /must be an http\(s\) URL/],
  ])('rejects bad settings with a message naming them', async (flags, env, message) => {
    await expect(authSettings(flags, env)).rejects.toThrow(AuthSettingsError);
    await expect(authSettings(flags, env)).rejects.toThrow(message);
  });

  it('names the line of a bad hash in the keys file', async () => {
    const file = join(dir, 'bad-keys.txt');
    writeFileSync(file, `${hashApiKey('a')}\nnot-a-hash\n`);
    await expect(authSettings({ apiKeysFile: file }, {})).rejects.toThrow(/line 2: not a SHA-256 hex hash/);
  });
});

describe('p13n serve --api-keys-file', () => {
  it('protects the inference routes and leaves /openapi.json open', async () => {
    const file = join(dir, 'serve-keys.txt');
    writeFileSync(file, `${hashApiKey('serve-key')}\n`);
    const config = embeddedDefaultConfig(dir);
    const run = startServe(['--config', config, '--port', '0', '--api-keys-file', file], {
      P13N_DATA_DIR: join(dir, 'data'),
    });
    try {
      const base = await listeningUrl(run);
      expect(run.stdout()).toContain('authentication on: 1 API key(s)');
      const path = `${base}/recommend-items/retail/for-you/u1`;
      expect((await fetch(path)).status).toBe(401);
      expect((await fetch(path, { headers: { 'X-Api-Key': 'serve-key' } })).status).toBe(200);
      const openapi = await fetch(`${base}/openapi.json`);
      expect(openapi.status).toBe(200);
      expect(((await openapi.json()) as { openapi: string }).openapi).toBe('3.0.3');
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  it('exits 2 on a bad keys file', async () => {
    const run = startServe(['--port', '0', '--api-keys-file', join(dir, 'missing.txt')]);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain('--api-keys-file');
  });
});
