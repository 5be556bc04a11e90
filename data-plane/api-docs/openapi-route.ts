/**
 * `GET /openapi.json`: the OpenAPI document of the live configuration, made by the same generator the
 * control plane uses to publish it to the staging bucket. The server URL is the origin the caller used,
 * so Swagger UI's "Try it out" calls back to this server. Documents are generated once per configuration
 * and origin.
 */
import { Hono } from 'hono';
import type { AuthScheme } from '../../contracts/auth-schemes.ts';
import { generateOpenApi } from '../../contracts/openapi/generate-openapi.ts';
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import type { AppEnv } from '../app-env.ts';

/**
 * @example
 * app.route('/', openApiRoute({ auth: 'None' }));
 */
export function openApiRoute(options: { auth?: AuthScheme } = {}): Hono<AppEnv> {
  let cachedFor: ResolvedConfig | undefined;
  const byOrigin = new Map<string, string>();
  const route = new Hono<AppEnv>();
  route.get('/openapi.json', (c) => {
    const config = c.get('config');
    if (config !== cachedFor) {
      cachedFor = config;
      byOrigin.clear();
    }
    const origin = new URL(c.req.url).origin;
    let body = byOrigin.get(origin);
    if (!body) {
      body = JSON.stringify(generateOpenApi(config, { servers: [origin], auth: options.auth ?? 'None' }));
      if (byOrigin.size >= 16) byOrigin.clear();
      byOrigin.set(origin, body);
    }
    return c.body(body, 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
  });
  return route;
}
