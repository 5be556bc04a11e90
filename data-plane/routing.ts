/**
 * Registers a route together with its 405: any other method on the same path answers
 * `MethodNotAllowed` with an `Allow` header instead of a 404, so a client that got the method wrong is told.
 */
import type { Handler, Hono, MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { MethodNotAllowedError } from './errors.ts';

/**
 * GET routes also answer HEAD (Hono runs the GET handler and drops the body).
 *
 * @example
 * addRoute(app, 'POST', '/events/:namespace', bodyLimit(...), handler);
 */
export function addRoute<P extends string>(
  app: Hono<AppEnv>,
  method: 'GET' | 'POST',
  path: P,
  ...handlers: [...MiddlewareHandler<AppEnv, P>[], Handler<AppEnv, P>]
): void {
  app.on(method, path, ...(handlers as unknown as [Handler<AppEnv>]));
  const allow = method === 'GET' ? ['GET', 'HEAD'] : [method];
  app.all(path, (c) => {
    throw new MethodNotAllowedError(c.req.method, allow);
  });
}
