/**
 * Swagger UI at `/docs`, served from the swagger-ui-dist package's own files (no CDN), reading the live
 * OpenAPI document from `/openapi.json`. Only a fixed list of asset files is served, read once and kept
 * in memory.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/** Folder of the installed swagger-ui-dist package. */
export function swaggerUiAssetsDir(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(title: string, specUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)}</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="stylesheet" href="/docs/index.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: ${JSON.stringify(specUrl)},
      dom_id: '#swagger-ui',
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: 'BaseLayout',
    });
  </script>
</body>
</html>
`;
}

export interface DocsOptions {
  /** Where the OpenAPI document is served (default `/openapi.json`). */
  specUrl?: string;
  title?: string;
  /** Folder holding the swagger-ui-dist files (default: the installed package). */
  assetsDir?: string;
}

/**
 * Routes for `GET /docs` and its assets, to mount on the data-plane app.
 *
 * @example
 * app.route('/', docsRoutes({ title: 'Personalization APIs' }));
 */
export function docsRoutes(options: DocsOptions = {}): Hono {
  const { specUrl = '/openapi.json', title = 'Personalization APIs' } = options;
  const html = page(title, specUrl);
  const cache = new Map<string, Promise<Buffer>>();
  const load = (name: string) => {
    let file = cache.get(name);
    if (!file) {
      file = readFile(join(options.assetsDir ?? swaggerUiAssetsDir(), name));
      file.catch(() => cache.delete(name));
      cache.set(name, file);
    }
    return file;
  };

  const docs = new Hono();
  docs.get('/docs', (c) => c.html(html, 200, { 'cache-control': 'no-cache' }));
  docs.get('/docs/', (c) => c.redirect('/docs', 301));
  docs.get('/docs/:asset', async (c) => {
    const name = c.req.param('asset');
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type) {
      return c.json({ type: 'ClientError', code: 'NotFound', message: `no such documentation asset: ${name}` }, 404);
    }
    const body = await load(name);
    return c.body(new Uint8Array(body), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  return docs;
}
