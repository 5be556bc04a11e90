/**
 * SigV4 verification on its own: requests signed with the SDK's signer at chosen times, scopes and keys,
 * answered through the compatible API's error shape.
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../../data-plane/app-env.ts';
import { errorResponse, toPersonalizeError } from '../../../data-plane/personalize-api/errors.ts';
import { parseSigV4Credentials, sigV4Middleware } from '../../../data-plane/personalize-api/sigv4.ts';

const NOW = Date.parse('2026-11-29T20:00:00Z');
const credentials = { accessKeyId: 'AKIDUNIT', secretAccessKey: 'unit-secret' };

function app() {
  const app = new Hono<AppEnv>();
  app.use(
    '/recommendations',
    sigV4Middleware({ credentials: parseSigV4Credentials('AKIDUNIT:unit-secret'), clock: () => NOW }),
  );
  app.post('/recommendations', (c) => c.json({ ok: true }));
  app.onError((err) => errorResponse(toPersonalizeError(err)!));
  return app;
}

async function signed(options: { at?: number; service?: string; secret?: string; body?: string } = {}) {
  const body = options.body ?? '{"userId":"u1"}';
  const signer = new SignatureV4({
    credentials: { ...credentials, secretAccessKey: options.secret ?? credentials.secretAccessKey },
    region: 'eu-west-1',
    service: options.service ?? 'personalize',
    sha256: Hash.bind(null, 'sha256'),
  });
  const request = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: 'localhost',
      path: '/recommendations',
      query: {},
      headers: { host: 'localhost', 'content-type': 'application/json' },
      body,
    },
    { signingDate: new Date(options.at ?? NOW) },
  );
  return new Request('http://localhost/recommendations', {
    method: 'POST',
    headers: request.headers as Record<string, string>,
    body,
  });
}

const errorType = (res: Response) => res.headers.get('x-amzn-errortype');

describe('SigV4 verification', () => {
  it('accepts a request signed with a configured key within the time window', async () => {
    expect((await app().request(await signed({ at: NOW - 14 * 60_000 }))).status).toBe(200);
  });

  it('refuses a signature older or newer than 15 minutes', async () => {
    for (const at of [NOW - 16 * 60_000, NOW + 16 * 60_000]) {
      const res = await app().request(await signed({ at }));
      expect(res.status).toBe(403);
      expect(errorType(res)).toBe('InvalidSignatureException');
      expect(await res.json()).toEqual({ message: expect.stringContaining('Signature expired') });
    }
  });

  it('refuses a credential scoped to another service', async () => {
    const res = await app().request(await signed({ service: 's3' }));
    expect(errorType(res)).toBe('InvalidSignatureException');
    expect(await res.json()).toEqual({ message: expect.stringContaining('/personalize/aws4_request') });
  });

  it('refuses a wrong secret and a changed body', async () => {
    expect(errorType(await app().request(await signed({ secret: 'other' })))).toBe('InvalidSignatureException');
    const request = await signed();
    const tampered = new Request(request, { body: '{"userId":"u2"}' });
    expect(errorType(await app().request(tampered))).toBe('InvalidSignatureException');
  });

  it('refuses an unsigned request and a malformed Authorization header as the service does', async () => {
    const unsigned = await app().request('/recommendations', { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(403);
    expect(errorType(unsigned)).toBe('UnrecognizedClientException');
    const malformed = await app().request('/recommendations', {
      method: 'POST',
      body: '{}',
      headers: { authorization: 'Bearer abc' },
    });
    expect(errorType(malformed)).toBe('InvalidSignatureException');
  });

  it('reads ACCESS_KEY_ID:SECRET pairs and rejects anything else', () => {
    expect(parseSigV4Credentials('A:x, B:y:z')).toEqual(
      new Map([
        ['A', 'x'],
        ['B', 'y:z'],
      ]),
    );
    expect(() => parseSigV4Credentials('nocolon')).toThrow(/ACCESS_KEY_ID:SECRET/);
  });
});
