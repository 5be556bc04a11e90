import { describe, expect, it } from 'vitest';
import { docsRoutes } from '../../../data-plane/api-docs/swagger-ui.ts';

describe('docs routes', () => {
  const app = docsRoutes({ title: 'Shop <APIs>' });

  it('serves the Swagger UI page pointing at the live OpenAPI document, assets from the local package', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<title>Shop &lt;APIs&gt;</title>');
    expect(html).toContain('url: "/openapi.json"');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('serves the swagger-ui-dist assets with long-lived caching', async () => {
    const js = await app.request('/docs/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=86400');
    expect((await js.text()).length).toBeGreaterThan(100_000);
    const css = await app.request('/docs/swagger-ui.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('refuses anything outside the asset list, including traversal attempts', async () => {
    for (const path of ['/docs/package.json', '/docs/..%2Fpackage.json', '/docs/%2e%2e%2f%2e%2e%2fetc%2fpasswd']) {
      const res = await app.request(path);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ type: 'ClientError', code: 'NotFound' });
    }
  });
});
