/**
 * The Node HTTP server of `p13n serve` (and of its benchmark): the app's `fetch` behind
 * @hono/node-server, plus JSON answers for the two kinds of bad request that never reach the app —
 * requests no URL can be made of (`GET *`, raw non-ASCII bytes in the path, a bad Host header), which
 * the adapter would answer with an empty 400, and requests Node's HTTP parser rejects (malformed
 * request line or header, headers too large), which Node would answer with a bare status line. Both
 * get the same `{type, code, message}` JSON error as every other bad request. Slow clients are bounded
 * (server-limits.ts). Optionally, fresh cache hits are answered before the app (see cache-shortcut.ts).
 */
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import type { ErrorBody } from '../errors.ts';
import type { NodeCacheShortcut } from './cache-shortcut.ts';
import { DEFAULT_NODE_SERVER_LIMITS, type NodeServerLimits } from './server-limits.ts';

const INVALID_TARGET: ErrorBody = {
  type: 'ClientError',
  code: 'InvalidRequest',
  message: 'the request target or Host header is not a valid URL',
};

function rawJsonResponse(status: 400 | 408 | 431, reason: string, body: ErrorBody): string {
  const json = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`
  );
}

/** Node's own rejections, answered as JSON; anything else Node's parser rejects is a 400. */
const CLIENT_ERRORS: Record<string, string> = {
  ERR_HTTP_REQUEST_TIMEOUT: rawJsonResponse(408, 'Request Timeout', {
    type: 'ClientError',
    code: 'RequestTimeout',
    message: 'the request was not received in time',
  }),
  HPE_HEADER_OVERFLOW: rawJsonResponse(431, 'Request Header Fields Too Large', {
    type: 'ClientError',
    code: 'HeadersTooLarge',
    message: 'the request headers are too large',
  }),
};
const MALFORMED = rawJsonResponse(400, 'Bad Request', {
  type: 'ClientError',
  code: 'MalformedRequest',
  message: 'the request is not valid HTTP/1.1',
});

function onClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end((err.code && CLIENT_ERRORS[err.code]) ?? MALFORMED);
}

/**
 * An unstarted server; call `listen`. With `shortcut` (whose `remember` the app was given as its
 * `onResponseCached` hook), repeated cacheable GETs are answered from memory before the app is involved.
 * `limits` bound slow clients (default `DEFAULT_NODE_SERVER_LIMITS`).
 *
 * @example
 * createNodeServer(app.fetch, { shortcut }).listen(8080, '127.0.0.1');
 */
export function createNodeServer(
  fetch: (request: Request, env: HttpBindings | Http2Bindings) => Response | Promise<Response>,
  options: { shortcut?: NodeCacheShortcut; limits?: NodeServerLimits } = {},
): Server {
  const listener = getRequestListener(fetch, {
    errorHandler: () =>
      new Response(JSON.stringify(INVALID_TARGET), {
        status: 400,
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
      }),
  });
  const { shortcut, limits = DEFAULT_NODE_SERVER_LIMITS } = options;
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // Node checks the two timeouts only this often (30 s by default, longer than the timeouts).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    },
    shortcut
      ? (incoming, outgoing) => {
          if (!shortcut.serve(incoming, outgoing)) void listener(incoming, outgoing);
        }
      : listener,
  );
  server.maxConnections = limits.maxConnections;
  server.on('clientError', onClientError);
  return server;
}
