/**
 * The request handler and retry bound every AWS SDK client of the data plane gets: HTTP/1.1 through
 * one NodeHttpHandler per client with a connect timeout and a socket idle timeout (a backstop: each
 * call also carries its request's AbortSignal, whose abort destroys the socket), and a fixed number of
 * attempts. A module of its own, imported only beside the client packages (`import()` in
 * aws-clients.ts, lambda.ts, the AppConfigData provider), so the init phase does not load the handler.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** A connection not established within this is a failed attempt. */
export const CONNECT_TIMEOUT_MS = 3000;
/** A socket with no traffic either way for this long is closed (calls are bounded by their deadline before that). */
export const SOCKET_IDLE_TIMEOUT_MS = 30_000;
/** Attempts per call of the origin and store clients. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * @example
 * new AppConfigDataClient({ region, ...boundedClientConfig() });
 */
export function boundedClientConfig(maxAttempts = DEFAULT_MAX_ATTEMPTS) {
  return {
    maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: SOCKET_IDLE_TIMEOUT_MS,
    }),
  };
}
