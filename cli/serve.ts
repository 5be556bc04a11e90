/**
 * `p13n serve`: the data plane on Node (@hono/node-server) with a file configuration that is reloaded when
 * it changes. Quiet, one line per request; stops cleanly on SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { authSettings } from '../data-plane/auth/auth-settings.ts';
import { type AuthOptions, authMiddleware } from '../data-plane/auth/middleware.ts';
import { createFileConfigProvider } from '../data-plane/config/file-provider.ts';
import { ConfigLoadError } from '../data-plane/config/types.ts';
import { type DataPlaneEnv, EnvError, readDataPlaneEnv } from '../data-plane/env.ts';
import { NodeCacheShortcut } from '../data-plane/node/cache-shortcut.ts';
import { createRequestLog } from '../data-plane/node/request-log.ts';
import { createNodeServer } from '../data-plane/node/server.ts';
import { type NodeServerLimits, nodeServerLimits } from '../data-plane/node/server-limits.ts';
import { type DataPlane, wireDataPlane } from '../data-plane/wiring.ts';
import { experimentsRoutes } from '../experiments/routes.ts';
import { lineLogger } from '../shared/logger.ts';

export const DEFAULT_CONFIG = 'samples/local/config.json';

const HELP = `Usage: p13n serve [--config FILE] [--port N] [--host H] [authentication options]

Serves the personalization APIs on Node, with Swagger UI at /docs and the experiments dashboard at
/experiments (readouts as JSON at /experiments/{namespace}).
  --config FILE  configuration file (default $P13N_CONFIG, else ${DEFAULT_CONFIG}); reloaded when it changes
  --port N       port to listen on (default $PORT, else 8080; 0 picks a free port)
  --host H       interface to bind (default 127.0.0.1; 0.0.0.0 for every interface)
Authentication (off unless one is given; /docs, /openapi.json and CORS preflight stay open):
  --api-keys-file FILE  SHA-256 hex hashes of accepted X-Api-Key values, one per line
                        (also $P13N_API_KEY_HASHES, or $P13N_API_KEYS hashed at start)
  --jwt-jwks-url URL    accept Authorization: Bearer JWTs signed by a key of this JWKS ($P13N_JWT_JWKS_URL)
  --jwt-issuer ISS      required iss claim ($P13N_JWT_ISSUER)
  --jwt-audience AUD    accepted aud values, comma-separated ($P13N_JWT_AUDIENCE)
Exit status: 0 after SIGINT/SIGTERM, 1 invalid configuration, 2 bad arguments or missing configuration.`;

function parsePort(value: string | undefined, what: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value ?? '') || port > 65_535)
    throw new Error(`${what} must be a port number (0-65535), got '${value}'`);
  return port;
}

export async function run(args: string[]): Promise<number> {
  let file: string;
  let port: number;
  let host: string;
  let env: ReturnType<typeof readDataPlaneEnv>;
  let limits: NodeServerLimits;
  let auth: AuthOptions | undefined;
  try {
    const { values } = parseArgs({
      args,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        'api-keys-file': { type: 'string' },
        'jwt-jwks-url': { type: 'string' },
        'jwt-issuer': { type: 'string' },
        'jwt-audience': { type: 'string' },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    env = readDataPlaneEnv(process.env);
    limits = nodeServerLimits(process.env);
    file = values.config ?? env.P13N_CONFIG ?? DEFAULT_CONFIG;
    port =
      values.port !== undefined
        ? parsePort(values.port, '--port')
        : process.env.PORT
          ? parsePort(process.env.PORT, 'PORT')
          : 8080;
    host = values.host ?? '127.0.0.1';
    auth = await authSettings(
      {
        apiKeysFile: values['api-keys-file'],
        jwtJwksUrl: values['jwt-jwks-url'],
        jwtIssuer: values['jwt-issuer'],
        jwtAudience: values['jwt-audience'],
      },
      process.env,
    );
  } catch (err) {
    console.error(`p13n serve: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (!existsSync(file)) {
    console.error(`p13n serve: configuration file ${file} does not exist; pass --config FILE or set P13N_CONFIG`);
    return 2;
  }

  const logger = lineLogger((line) => process.stderr.write(`${line}\n`));
  const config = createFileConfigProvider({ file, logger });
  const requests = createRequestLog((chunk) => process.stdout.write(chunk));
  const onResponse = requests.log;
  // Cache hits skip the app, which authentication must see.
  const shortcut = auth ? undefined : new NodeCacheShortcut({ config, onResponse });
  const dataPlane = wireDataPlane({
    env,
    config,
    logger,
    docs: true,
    auth: auth && authMiddleware(auth, logger),
    onResponseCached: shortcut?.remember,
    onResponse,
    routes: [experimentsRoutes({ clock: Date.now })],
  });
  const preparing = performance.now();
  try {
    await dataPlane.start();
  } catch (err) {
    await dataPlane.close();
    if (err instanceof ConfigLoadError || err instanceof EnvError) {
      console.error(`p13n serve: ${err.message}`);
      return 1;
    }
    console.error(`p13n serve: cannot prepare the configuration: ${(err as Error).message}`);
    return 1;
  }
  console.log(
    `p13n serve: item metadata and embedded recommenders ready in ${Math.round(performance.now() - preparing)} ms`,
  );
  const { app } = dataPlane;

  let address: AddressInfo;
  const server = createNodeServer(app.fetch, { shortcut, limits }).listen(port, host);
  try {
    address = await new Promise<AddressInfo>((resolve, reject) => {
      server.once('listening', () => resolve(server.address() as AddressInfo));
      server.once('error', reject);
    });
  } catch (err) {
    console.error(`p13n serve: cannot listen on ${host}:${port}: ${(err as Error).message}`);
    await dataPlane.close();
    return 2;
  }
  if (auth) {
    const kinds = [
      auth.apiKeyHashes ? `${auth.apiKeyHashes.length} API key(s)` : '',
      auth.jwt ? `JWTs from ${auth.jwt.jwksUrl}` : '',
    ];
    console.log(`p13n serve: authentication on: ${kinds.filter(Boolean).join(' and ')}`);
  }
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  console.log(
    `p13n serve: listening on http://${shownHost}:${address.port} (config ${file}, version ${config.current().version || '(none)'})`,
  );

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  console.log(`p13n serve: ${signal} received, stopping`);
  await stop(server, dataPlane, env);
  requests.flush();
  return 0;
}

/**
 * Stops taking requests, lets those in flight finish (each is bounded by the request budget, after
 * which the connections still open are closed, busy keep-alive ones included), then drains the
 * background work (exposures) for at most P13N_SHUTDOWN_DRAIN_MS before releasing everything.
 */
async function stop(server: Server, dataPlane: DataPlane, env: DataPlaneEnv): Promise<void> {
  // Answers still to come close their connection, so busy keep-alive clients let go.
  server.prependListener('request', (_incoming, outgoing) => {
    outgoing.shouldKeepAlive = false;
  });
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise((resolve) => (timer = setTimeout(resolve, env.P13N_REQUEST_BUDGET_MS)))]);
  clearTimeout(timer);
  server.closeAllConnections();
  const abandoned = await dataPlane.drain(env.P13N_SHUTDOWN_DRAIN_MS);
  if (abandoned > 0) console.error(`p13n serve: abandoned ${abandoned} background task(s) at the drain bound`);
  await dataPlane.close();
}
