/**
 * CORS for a public, credential-less API (`Access-Control-Allow-Origin: *`). Unlike hono/cors it adds
 * its headers after the handler has answered: touching `c.res` before the handler makes Hono merge two
 * responses, which turns a pre-serialised body into a stream and costs the response cache most of its
 * speed. Preflight requests are answered here and never reach authentication or the routes.
 */
import type { MiddlewareHandler } from 'hono';
import { hasFinalHeaders } from './final-headers.ts';

export interface CorsOptions {
  allowMethods: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders: readonly string[];
  /** Seconds a browser may cache a preflight answer. */
  maxAge: number;
}

/** The CORS headers of an ordinary (not preflight) response. */
export function corsResponseHeaders(options: CorsOptions): Record<string, string> {
  return { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': options.exposeHeaders.join(',') };
}

/**
 * @example
 * app.use(cors({ allowMethods: ['GET'], allowHeaders: ['Content-Type'], exposeHeaders: ['ETag'], maxAge: 600 }));
 */
export function cors(options: CorsOptions): MiddlewareHandler {
  const simple = Object.entries(corsResponseHeaders(options));
  const preflight: Record<string, string> = {
    ...corsResponseHeaders(options),
    'Access-Control-Allow-Methods': options.allowMethods.join(','),
    'Access-Control-Allow-Headers': options.allowHeaders.join(','),
    'Access-Control-Max-Age': String(options.maxAge),
    Vary: 'Access-Control-Request-Headers',
  };
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return c.body(null, 204, preflight);
    await next();
    if (hasFinalHeaders(c.res)) return;
    const headers = c.res.headers;
    for (const [name, value] of simple) headers.set(name, value);
  };
}
