import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { CloudFrontRequestEvent, CloudFrontResultResponse } from 'aws-lambda';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEdgeAuthHandler, type EdgeAuthHandler } from '../../../control-plane/edge-auth/edge-auth.ts';
import { fixture } from '../helpers/fixtures.ts';

const POOL = 'us-east-1_TestPool1';
const ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`;
const CLIENT = 'client-abc123';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

let server: Server;
let jwksRequests = 0;
let signingKey: SigningKey;
let strangerKey: SigningKey;
let authorize: EdgeAuthHandler;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    jwksRequests++;
    expect(req.url).toBe(`/${POOL}/.well-known/jwks.json`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Cognito's JWKS URL, answered by the local server.
  const jwksCache = new SimpleJwksCache({
    fetcher: {
      fetch: async (uri: string) =>
        (await fetch(uri.replace('https://cognito-idp.us-east-1.amazonaws.com', local))).arrayBuffer(),
    },
  });
  authorize = createEdgeAuthHandler({ userPoolId: POOL, clientId: CLIENT, region: 'us-east-1', jwksCache });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function token(claims: Record<string, unknown>, key: SigningKey = signingKey, expiresIn = '1h') {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
    .setIssuer(ISSUER)
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}
const accessToken = (extra: Record<string, unknown> = {}, key?: SigningKey, exp?: string) =>
  token({ token_use: 'access', client_id: CLIENT, scope: 'openid', ...extra }, key, exp);

function viewerRequest(authorization?: string, method = 'GET'): CloudFrontRequestEvent {
  const event = fixture('events/cloudfront-viewer-request.json') as CloudFrontRequestEvent;
  const request = event.Records[0]!.cf.request;
  (request as { method: string }).method = method;
  if (authorization) request.headers.authorization = [{ key: 'Authorization', value: authorization }];
  return event;
}

const asResponse = (result: unknown) => result as CloudFrontResultResponse;

describe('edge auth', () => {
  it('passes a request with a valid access token on unchanged, fetching the JWKS once', async () => {
    const before = jwksRequests;
    for (let i = 0; i < 3; i++) {
      const event = viewerRequest(`Bearer ${await accessToken()}`);
      await expect(authorize(event)).resolves.toEqual(event.Records[0]!.cf.request);
    }
    expect(jwksRequests - before).toBe(1);
  });

  it('accepts an ID token issued to the client', async () => {
    const idToken = await token({ token_use: 'id', aud: CLIENT, email: 'a@example.com' });
    const event = viewerRequest(`bearer ${idToken}`);
    await expect(authorize(event)).resolves.toEqual(event.Records[0]!.cf.request);
  });

  it('answers 401 with a Bearer challenge when no token is sent', async () => {
    const res = asResponse(await authorize(viewerRequest()));
    expect(res.status).toBe('401');
    expect(res.headers?.['www-authenticate']).toEqual([
      { key: 'WWW-Authenticate', value: 'Bearer realm="personalization-apis"' },
    ]);
    expect(JSON.parse(res.body!)).toEqual({
      type: 'ClientError',
      code: 'Unauthorized',
      message: 'an Authorization header with a Bearer token is required',
    });
    expect(asResponse(await authorize(viewerRequest('Basic dXNlcjpwYXNz'))).status).toBe('401');
  });

  it.each([
    ['expired', () => accessToken({}, undefined, '-1m')],
    ['for another client', () => accessToken({ client_id: 'someone-else' })],
    ['signed with an unknown key', () => accessToken({}, strangerKey)],
    ['not a JWT', async () => 'not-a-token'],
  ])('refuses a token that is %s with invalid_token', async (_, make) => {
    const res = asResponse(await authorize(viewerRequest(`Bearer ${await make()}`)));
    expect(res.status).toBe('401');
    expect(res.headers?.['www-authenticate']?.[0]?.value).toMatch(
      /^Bearer realm="personalization-apis", error="invalid_token", error_description="[^"]+"$/,
    );
    expect(res.headers?.['cache-control']).toEqual([{ key: 'Cache-Control', value: 'no-store' }]);
  });

  it('never reflects token content in the challenge: an iss holding CR/LF gets a fixed description', async () => {
    const forged = await new SignJWT({ token_use: 'access', client_id: CLIENT })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setIssuer('https://evil.example/\r\nSet-Cookie: session=stolen')
      .setExpirationTime('1h')
      .sign(signingKey);
    const res = asResponse(await authorize(viewerRequest(`Bearer ${forged}`)));
    expect(res.status).toBe('401');
    const challenge = res.headers?.['www-authenticate']?.[0]?.value ?? '';
    expect(challenge).toMatch(
      /^Bearer realm="personalization-apis", error="invalid_token", error_description="[a-z ]+"$/,
    );
    expect(res.body).not.toMatch(/evil|Set-Cookie/);
  });

  it('answers 503, not 401, when the key set cannot be fetched', async () => {
    const unreachable = createEdgeAuthHandler({
      userPoolId: POOL,
      clientId: CLIENT,
      jwksCache: new SimpleJwksCache({
        fetcher: {
          fetch: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
        },
      }),
    });
    const res = asResponse(await unreachable(viewerRequest(`Bearer ${await accessToken()}`)));
    expect(res.status).toBe('503');
    expect(JSON.parse(res.body!)).toMatchObject({ type: 'ServerError', code: 'AuthenticationUnavailable' });
    expect(res.headers?.['cache-control']).toEqual([{ key: 'Cache-Control', value: 'no-store' }]);
  });

  it('lets CORS preflights through without a token', async () => {
    const event = viewerRequest(undefined, 'OPTIONS');
    await expect(authorize(event)).resolves.toEqual(event.Records[0]!.cf.request);
  });

  it('refuses a region that does not match the user pool', () => {
    expect(() => createEdgeAuthHandler({ userPoolId: POOL, clientId: CLIENT, region: 'eu-west-1' })).toThrow(
      'user pool us-east-1_TestPool1 is not in region eu-west-1',
    );
  });
});
