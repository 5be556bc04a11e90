/**
 * What the Personalize-compatible API tests share: a configuration serving the sample catalogue behind
 * Personalize ARNs (embedded recommenders, one A/B-tested; http recommenders of the tiny recommender for
 * filters and throttling), and a stand-in for the Personalize Events service that records the calls an
 * event-tracker target forwards (no emulator of Personalize exists).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SAMPLES = fileURLToPath(new URL('../../../samples/local/', import.meta.url));
const ARN = 'arn:aws:personalize:us-east-1:123456789012';

export const ARNS = {
  forYou: `${ARN}:campaign/for-you`,
  history: `${ARN}:campaign/history`,
  filtered: `${ARN}:campaign/filtered`,
  throttled: `${ARN}:campaign/throttled`,
  similar: `${ARN}:recommender/similar`,
  ranking: `${ARN}:campaign/ranking`,
  filter: `${ARN}:filter/in-stock`,
  items: `${ARN}:dataset/retail/ITEMS`,
  users: `${ARN}:dataset/retail/USERS`,
  unknown: `${ARN}:campaign/nobody`,
} as const;

export const TRACKING_ID = 'tracker-1';

/** Item IDs of the sample catalogue (samples/local/items.jsonl). */
export const SAMPLE_ITEM = 'fe8ae705-66dc-4e84-9f29-cf48f9e140d7';

export function compatConfig(options: { dir: string; recommenderUrl: string }) {
  const builtin = (algorithm: string) => ({
    type: 'builtin',
    algorithm,
    interactionsFile: join(SAMPLES, 'interactions.csv'),
  });
  return {
    version: 'compat-1',
    cacheControl: {
      userSpecified: { maxAge: 0, directives: 'private, no-cache' },
      syntheticUserSpecified: { maxAge: 0, directives: 'private' },
      noUserSpecified: { maxAge: 0, directives: 'public' },
    },
    namespaces: {
      retail: {
        inferenceItemMetadata: { type: 'localdb', sourceFile: join(SAMPLES, 'items.jsonl') },
        recommenders: {
          'recommend-items': {
            'for-you': {
              arnAliases: [ARNS.forYou],
              experiments: { 'for-you-ab': { method: 'hash', weights: { cooccurrence: 50, popularity: 50 } } },
              variations: { cooccurrence: builtin('cooccurrence'), popularity: builtin('popularity') },
            },
            history: { arnAliases: [ARNS.history], variations: { cooccurrence: builtin('cooccurrence') } },
            filtered: {
              arnAliases: [ARNS.filtered],
              variations: { post: { type: 'http', url: `${options.recommenderUrl}/recs` } },
            },
            throttled: {
              arnAliases: [ARNS.throttled],
              variations: { t: { type: 'http', url: `${options.recommenderUrl}/throttle` } },
            },
          },
          'related-items': {
            similar: { arnAliases: [ARNS.similar], variations: { cooccurrence: builtin('cooccurrence') } },
          },
          'rerank-items': {
            ranking: { arnAliases: [ARNS.ranking], variations: { cooccurrence: builtin('cooccurrence') } },
          },
        },
        eventTargets: [
          { type: 'personalize-event-tracker', trackingId: TRACKING_ID },
          { type: 'file', path: join(options.dir, 'events.jsonl') },
          { type: 'builtin' },
        ],
      },
    },
  };
}

interface RecordedCall {
  path: string;
  body: Record<string, unknown>;
}

/** Answers PutEvents/PutUsers/PutItems like the service (200, empty JSON) and records each call. */
export async function startPersonalizeEventsStandIn(): Promise<{
  url: string;
  calls: RecordedCall[];
  /** Refuses the next calls (AccessDeniedException, which the fan-out does not retry). */
  refuseNext(count: number): void;
  close(): Promise<void>;
}> {
  const calls: RecordedCall[] = [];
  let refusing = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      calls.push({ path: req.url ?? '', body: body ? JSON.parse(body) : {} });
      if (refusing > 0) {
        refusing -= 1;
        res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' });
        res.end('{"message":"refused by the test"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    refuseNext: (count) => {
      refusing = count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
