/**
 * A fake Braze REST endpoint for the delivery tests, strict where Braze is: `POST /users/track` needs
 * `Authorization: Bearer <key>` (401 otherwise), refuses more than 75 attribute objects (400), answers
 * 429 with `X-RateLimit-*` headers past `maxPerSecond` requests in a second, fails a seeded random share
 * of requests with a 5xx (processing nothing), and lists objects whose external_id it rejects under
 * `errors`, as Braze does. It records every object it accepted.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeBrazeOptions {
  apiKey: string;
  maxPerSecond: number;
  /** Share of requests answered with a 5xx (default 0.15). */
  failureRate?: number;
  rejectIds?: ReadonlySet<string>;
  /** A request carrying one of these external_ids is always answered 503 (a request that never gets through). */
  unavailableIds?: ReadonlySet<string>;
  seed?: number;
}

export interface FakeBraze {
  url: string;
  /** Accepted attribute objects by external_id (a list, to catch duplicates). */
  received: Map<string, Array<Record<string, unknown>>>;
  counts: { requests: number; unauthorized: number; tooLarge: number; throttled: number; serverErrors: number };
  stop(): Promise<void>;
}

export async function startFakeBraze(options: FakeBrazeOptions): Promise<FakeBraze> {
  let seed = options.seed ?? 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const received = new Map<string, Array<Record<string, unknown>>>();
  const counts = { requests: 0, unauthorized: 0, tooLarge: 0, throttled: 0, serverErrors: 0 };
  let second = 0;
  let inSecond = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      counts.requests++;
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/users/track') return send(404, { message: 'not found' });
      if (req.headers.authorization !== `Bearer ${options.apiKey}`) {
        counts.unauthorized++;
        return send(401, { message: 'Invalid API key' });
      }
      const now = Date.now();
      const current = Math.floor(now / 1000);
      if (current !== second) {
        second = current;
        inSecond = 0;
      }
      if (++inSecond > options.maxPerSecond) {
        counts.throttled++;
        return send(
          429,
          { message: 'rate limited' },
          {
            'x-ratelimit-limit': String(options.maxPerSecond),
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(current + 1),
          },
        );
      }
      if (random() < (options.failureRate ?? 0.15)) {
        counts.serverErrors++;
        return send(random() < 0.5 ? 500 : 503, { message: 'internal error' });
      }
      let attributes: Array<Record<string, unknown>>;
      try {
        attributes = JSON.parse(Buffer.concat(chunks).toString('utf8')).attributes;
      } catch {
        return send(400, { message: 'malformed body' });
      }
      if (!Array.isArray(attributes)) return send(400, { message: 'attributes must be an array' });
      if (attributes.some((object) => options.unavailableIds?.has(String(object.external_id)))) {
        counts.serverErrors++;
        return send(503, { message: 'service unavailable' });
      }
      if (attributes.length > 75) {
        counts.tooLarge++;
        return send(400, { message: 'too many attributes objects (limit 75)' });
      }
      const errors: Array<Record<string, unknown>> = [];
      attributes.forEach((object, index) => {
        const id = String(object.external_id);
        if (options.rejectIds?.has(id)) {
          errors.push({ type: "'external_id' is not valid", input_array: 'attributes', index });
          return;
        }
        const list = received.get(id) ?? [];
        list.push(object);
        received.set(id, list);
      });
      send(201, {
        message: errors.length ? 'success' : 'success',
        attributes_processed: attributes.length - errors.length,
        ...(errors.length ? { errors } : {}),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    counts,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
