/**
 * Shared test helpers for the data plane: a small HTTP recommender the tests start on 127.0.0.1:0, a
 * configuration builder pointing at it, and an app factory with fakes.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { staticConfigProvider } from '../../data-plane/config/static-provider.ts';
import { type AppOptions, buildApp } from '../../data-plane/wiring.ts';
import { createAwsClients } from '../../shared/aws-clients.ts';
import { silentLogger } from '../../shared/logger.ts';

/** A generated recommendationId: UUIDv7 (RFC 9562). */
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TinyRecommender {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Routes: POST /recs (answers numResults items, or reranks itemList), GET /users/{userId}/recs?n=N,
 * (404 for users named `unknown…`), /slow (answers after 2 s), /throttle (429), /fail (500), /not-json, /wrong-shape.
 */
export async function startTinyRecommender(): Promise<TinyRecommender> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const url = new URL(req.url ?? '/', 'http://localhost');
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (url.pathname === '/recs' && req.method === 'POST') {
        const payload = JSON.parse(body) as { action: string; numResults: number; itemList?: string[] };
        if (payload.action === 'rerank-items') {
          const ranked = [...(payload.itemList ?? [])].reverse().map((itemId, i) => ({ itemId, score: 1 - i / 10 }));
          return json(200, { personalizedRanking: ranked, recommendationId: 'rid-rerank' });
        }
        const items = Array.from({ length: payload.numResults }, (_, i) => ({
          itemId: `item-${i + 1}`,
          score: 1 / (i + 1),
        }));
        return json(200, { itemList: items, recommendationId: 'rid-1' });
      }
      const user = /^\/users\/([^/]+)\/recs$/.exec(url.pathname);
      if (user?.[1]?.startsWith('unknown')) return json(404, { message: `no user ${user[1]}` });
      if (user && req.method === 'GET') {
        const n = Number(url.searchParams.get('n') ?? 3);
        return json(200, {
          itemList: Array.from({ length: n }, (_, i) => `${decodeURIComponent(user[1]!)}-pick-${i + 1}`),
        });
      }
      if (url.pathname === '/slow') {
        setTimeout(() => json(200, { itemList: [] }), 2000).unref();
        return;
      }
      if (url.pathname === '/throttle') return json(429, { message: 'slow down' });
      if (url.pathname === '/fail') return json(500, { message: 'boom' });
      if (url.pathname === '/not-json') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end('hello');
      }
      if (url.pathname === '/wrong-shape') return json(200, { items: ['a'] });
      json(404, { message: 'no route' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A configuration with http recommenders for every action, served by the tiny recommender at `base`. */
export function httpConfig(base: string, extra: Record<string, unknown> = {}) {
  return {
    version: '7',
    cacheControl: {
      userSpecified: { maxAge: 10, directives: 'private' },
      syntheticUserSpecified: { maxAge: 300, directives: 'public' },
      noUserSpecified: { maxAge: 1200, directives: 'public' },
    },
    namespaces: {
      retail: {
        recommenders: {
          'recommend-items': {
            'for-you': {
              defaultNumResults: 5,
              maxNumResults: 50,
              experiments: { 'home-page': { method: 'hash', weights: { post: 100 } } },
              variations: { post: { type: 'http', url: `${base}/recs`, headers: { 'x-api-key': 'k1' } } },
            },
            'by-get': {
              variations: { get: { type: 'http', method: 'GET', url: `${base}/users/{userId}/recs?n={numResults}` } },
            },
            'old-style': {
              variations: {
                get: { type: 'http', url: `${base}/users/{userId}/recs?n={numResults}&f={filter}&ctx={context}` },
              },
            },
            slow: { variations: { slow: { type: 'http', url: `${base}/slow`, timeoutMs: 100 } } },
            throttled: { variations: { t: { type: 'http', url: `${base}/throttle` } } },
            failing: { variations: { f: { type: 'http', url: `${base}/fail` } } },
            'not-json': { variations: { n: { type: 'http', url: `${base}/not-json` } } },
            'wrong-shape': { variations: { w: { type: 'http', url: `${base}/wrong-shape` } } },
          },
          'related-items': {
            similar: { variations: { post: { type: 'http', url: `${base}/recs` } } },
          },
          'rerank-items': {
            ranking: { variations: { post: { type: 'http', url: `${base}/recs` } } },
          },
        },
      },
    },
    ...extra,
  };
}

/** Builds the app over an in-memory configuration with silent logs; `overrides` replace any dependency. */
export async function appFor(config: unknown, overrides: Partial<AppOptions> = {}) {
  const provider = staticConfigProvider(config);
  await provider.start();
  return buildApp({
    config: provider,
    clients: createAwsClients({ region: 'us-east-1', maxAttempts: 1 }),
    logger: silentLogger,
    ...overrides,
  });
}

/** A response's JSON body, typed loosely for assertions. */
export const json = (res: Response): Promise<any> => res.json();
