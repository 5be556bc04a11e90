/**
 * Issue 13 item 3, the data plane's half: behind CloudFront a request without CloudFront's secret origin
 * header (a direct call to the execute-api URL) is refused with 403; the infra half is checked on the
 * synthesised template of every CloudFront combination (test/infra/combinations.ts).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ORIGIN_SECRET_HEADER } from '../../../contracts/origin-secret.ts';
import { loadOriginSecret, requireOriginSecret } from '../../../data-plane/auth/origin-secret.ts';
import { oneRecommenderApp } from '../../helpers/fake-origin.ts';

const SECRET = 'k7Qm2VxP9sLw4RtY8nZb3HcJ6fGd1AeU5oKi0pWq';
const app = () => oneRecommenderApp({ auth: requireOriginSecret(SECRET) });

describe('the secret origin header', () => {
  it('refuses a direct call without the header with 403', async () => {
    const res = await app().request('/recommend-items/shop/top/u1');
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      type: 'ClientError',
      code: 'Forbidden',
      message: 'call this API through its CloudFront URL',
    });
  });

  it.each([
    ['a wrong value', 'x'.repeat(SECRET.length)],
    ['a prefix of the secret', SECRET.slice(0, 20)],
    ['the secret with more after it', `${SECRET}x`],
    ['an empty value', ''],
  ])('refuses %s', async (_, value) => {
    const res = await app().request('/recommend-items/shop/top/u1', { headers: { [ORIGIN_SECRET_HEADER]: value } });
    expect(res.status).toBe(403);
  });

  it('serves requests that carry it (every route, events included)', async () => {
    const a = app();
    const headers = { [ORIGIN_SECRET_HEADER]: SECRET };
    expect((await a.request('/recommend-items/shop/top/u1', { headers })).status).toBe(200);
    expect((await a.request('/events/shop', { method: 'POST', headers, body: '{}' })).status).not.toBe(403);
    expect((await a.request('/events/shop', { method: 'POST', body: '{}' })).status).toBe(403);
  });

  it('refuses to start with a short secret', () => {
    expect(() => requireOriginSecret('short')).toThrow(/at least 32/);
  });

  it('reads the secret from Secrets Manager once', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand, { SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:origin' }).resolves({
      SecretString: SECRET,
    });
    expect(
      await loadOriginSecret(
        new SecretsManagerClient({ region: 'eu-west-1' }),
        'arn:aws:secretsmanager:eu-west-1:1:secret:origin',
      ),
    ).toBe(SECRET);
    sm.restore();
  });
});
