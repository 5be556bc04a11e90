/**
 * A stand-in for the AWS AppConfig agent (the AppConfig Lambda extension) on 127.0.0.1: it answers
 * `GET /applications/{app}/environments/{env}/configurations/{profile}` with the configuration it was
 * last given, as the agent answers with the deployed one, and counts the requests it gets.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AppConfigTarget {
  application: string;
  environment: string;
  profile: string;
}

export interface AppConfigAgent {
  port: number;
  /** Deploys a new configuration (an object, sent as JSON). */
  deploy(config: unknown): void;
  /** Requests for the configuration so far. */
  requests(): number;
  stop(): Promise<void>;
}

/**
 * @example
 * const agent = await startAppConfigAgent(ASSET_APPCONFIG, { version: '1', namespaces: {} });
 * env.AWS_APPCONFIG_EXTENSION_HTTP_PORT = String(agent.port);
 */
export async function startAppConfigAgent(target: AppConfigTarget, initial: unknown): Promise<AppConfigAgent> {
  const e = encodeURIComponent;
  const path = `/applications/${e(target.application)}/environments/${e(target.environment)}/configurations/${e(target.profile)}`;
  let content = JSON.stringify(initial);
  let count = 0;
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no configuration at ${req.url}`);
      return;
    }
    count++;
    res.writeHead(200, { 'content-type': 'application/json', 'configuration-version': String(count) }).end(content);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    deploy(config) {
      content = JSON.stringify(config);
    },
    requests: () => count,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
