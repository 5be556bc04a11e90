/**
 * `GET /openapi.json`: the OpenAPI document of the live configuration, made by the same generator the
 * control plane uses to publish it to the staging bucket. Its server URL is relative (`.`, the folder the
 * document was fetched from), so Swagger UI's "Try it out" calls back to this server and no request
 * header — `Host`, `X-Forwarded-Host` — can put another host into the document. One document is generated
 * per configuration. The generator is imported on the first request for it: most data planes never
 * serve the document, and it is no part of their cold start.
 */
import { Hono } from 'hono';
import type { AuthScheme } from '../../contracts/auth-schemes.ts';
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import type { AppEnv } from '../app-env.ts';

/** The document's one server: where it was fetched from. */
export const RELATIVE_SERVER = '.';

/**
 * @example
 * app.route('/', openApiRoute({ auth: 'None' }));
 */
export function openApiRoute(options: { auth?: AuthScheme } = {}): Hono<AppEnv> {
  let cachedFor: ResolvedConfig | undefined;
  let body = '';
  const route = new Hono<AppEnv>();
  route.get('/openapi.json', async (c) => {
    const config = c.get('config');
    if (config !== cachedFor) {
      const { generateOpenApi } = await import('../../contracts/openapi/generate-openapi.ts');
      body = JSON.stringify(generateOpenApi(config, { servers: [RELATIVE_SERVER], auth: options.auth ?? 'None' }));
      cachedFor = config;
    }
    return c.body(body, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
  });
  return route;
}
