/**
 * Issue 13 item 12: the OpenAPI document's server URL never comes from the request, so
 * `Host: evil.example` cannot make Swagger UI send a user's calls (and tokens) to another host.
 */
import { describe, expect, it } from 'vitest';
import { openApiRoute } from '../../../data-plane/api-docs/openapi-route.ts';
import { oneRecommenderApp } from '../../helpers/fake-origin.ts';

const app = () => oneRecommenderApp({ extraRoutes: (routes) => routes.route('/', openApiRoute()) });

describe('/openapi.json', () => {
  it.each([
    ['Host', { host: 'evil.example' }],
    ['X-Forwarded-Host', { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }],
  ])('does not take its server URL from the %s header', async (_, headers) => {
    const res = await app().request('http://evil.example/openapi.json', { headers });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { servers: Array<{ url: string }> };
    expect(doc.servers).toEqual([{ url: '.' }]);
    expect(JSON.stringify(doc)).not.toContain('evil.example');
  });
});
