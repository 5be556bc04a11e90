/**
 * The inference routes — `GET /recommend-items`, `GET /related-items`, `GET` and `POST /rerank-items` —
 * each with its 405: path and body checks here, everything else in the (cached) pipeline.
 */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as z from 'zod';
import type { ResolvedConfig } from '../../schema/resolve-config.ts';
import type { AppEnv } from '../app-env.ts';
import { BoundedMemo } from '../bounded-memo.ts';
import type { InferenceHandler, ServedResponse } from '../cache/cached-inference.ts';
import { encodedBody, preferredEncoding, runtimeDeliversCompressed, withEncoding } from '../compression.ts';
import { BadRequestError, PayloadTooLargeError } from '../errors.ts';
import { responseWithFinalHeaders } from '../final-headers.ts';
import { addRoute } from '../routing.ts';
import { headerLookup } from './auto-context.ts';
import type { InferenceRequest } from './serve-inference.ts';

const encoder = new TextEncoder();

/** Largest accepted request body (POST rerank-items: 500 IDs of 256 characters fit with room to spare). */
export const MAX_BODY_BYTES = 256 * 1024;

export interface InferenceRoutesDeps {
  inference: InferenceHandler;
  /** Called with every response served from, or stored in, the response cache. */
  onCached?: (c: Context<AppEnv>, cached: NonNullable<ServedResponse['cached']>) => void;
  /**
   * The headers the app's middleware adds to every answer (CORS, configuration version): given, a 200
   * leaves here with them and the middleware leaves it alone (see final-headers.ts).
   */
  addedHeaders?: (config: ResolvedConfig) => Record<string, string>;
}

const itemIdsSchema = (name: string) =>
  z
    .array(
      z
        .string({ error: `${name} must hold item ID strings` })
        .min(1, { error: `${name} must not hold empty item IDs` })
        .max(256, { error: `${name} holds an item ID longer than 256 characters` }),
      { error: `${name} must be a JSON array of item ID strings` },
    )
    .min(1, { error: `${name} must hold at least one item ID` })
    .max(500, { error: `${name} may hold at most 500 item IDs` });

function validItemIds(value: unknown, name: string): string[] {
  const parsed = itemIdsSchema(name).safeParse(value);
  if (!parsed.success) throw new BadRequestError('InvalidParameter', parsed.error.issues[0]!.message);
  return parsed.data;
}

function pathParam(c: Context, name: string): string {
  const value = c.req.param(name) ?? '';
  if (value.length === 0 || value.length > 256) {
    throw new BadRequestError('InvalidParameter', `${name} must be 1 to 256 characters`);
  }
  return value;
}

/** The comma-separated item IDs of GET rerank-items, split before decoding so an encoded comma stays in its ID. */
function itemIdsFromPath(url: string): string[] {
  const raw = new URL(url).pathname.split('/')[5] ?? '';
  return validItemIds(
    raw.split(',').map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    }),
    'itemIds',
  );
}

/**
 * Query parameters by query string, as Hono parses them, frozen: the same few query strings come again
 * and again (`?numResults=25`), and parsing one each time, then checking it (query.ts keeps what it made
 * of each of these objects), was a twentieth of a miss. Clients choose query strings, so the map is
 * bounded (at most 1,000 strings of at most 256 characters; longer ones are parsed every time), and
 * emptied when full.
 */
const queries = new BoundedMemo<string, Readonly<Record<string, string>>>(1000);
const MAX_KEPT_QUERY_LENGTH = 256;
const NO_QUERY: Readonly<Record<string, string>> = Object.freeze(Object.create(null));

function queryOf(c: Context<AppEnv>): Readonly<Record<string, string>> {
  const url = c.req.url;
  const start = url.indexOf('?');
  if (start === -1) return NO_QUERY;
  if (url.length - start > MAX_KEPT_QUERY_LENGTH) return c.req.query();
  return queries.get(url.slice(start), () => Object.freeze(c.req.query()));
}

/**
 * @example
 * mountInferenceRoutes(app, { inference: createCachedInference(pipeline) });
 * await app.request('/recommend-items/retail/for-you/u1?numResults=5');
 */
export function mountInferenceRoutes(app: Hono<AppEnv>, deps: InferenceRoutesDeps): void {
  const respond = async (c: Context<AppEnv>, request: Omit<InferenceRequest, 'query' | 'headers' | 'method'>) => {
    const res = await deps.inference(
      c.get('config'),
      Object.assign({}, request, {
        method: c.req.method === 'POST' ? ('POST' as const) : ('GET' as const),
        query: queryOf(c),
        headers: headerLookup(c.req.raw.headers),
        deadline: c.get('deadline'),
      }),
    );
    if (res.cached) deps.onCached?.(c, res.cached);
    if (res.status === 304) return c.body(null, 304, res.headers);
    const added = deps.addedHeaders?.(c.get('config'));
    const answer = (body: string | Uint8Array, headers: Record<string, string>) =>
      added
        ? responseWithFinalHeaders(body as string | Uint8Array<ArrayBuffer>, 200, Object.assign({}, headers, added))
        : c.body(body as string | Uint8Array<ArrayBuffer>, 200, headers);
    if (!runtimeDeliversCompressed(c.env)) return answer(res.body, res.headers);
    const wanted = preferredEncoding(c.req.header('accept-encoding'));
    if (!wanted) {
      // On the Node server an uncompressed string body goes out as bytes: Node would prepend the header
      // block to a string and copy the whole response once more in the JavaScript heap. Lambda's adapter
      // wants text, so it keeps the string.
      const onNodeServer = (c.env as { incoming?: unknown } | undefined)?.incoming !== undefined;
      const body = onNodeServer && typeof res.body === 'string' ? Buffer.from(res.body) : res.body;
      return answer(body, withEncoding(res.headers, undefined));
    }
    const plain = typeof res.body === 'string' ? encoder.encode(res.body) : res.body;
    const { body, encoding } = encodedBody(plain, wanted, res.cached?.entry);
    return answer(body, withEncoding(res.headers, encoding));
  };

  addRoute(app, 'GET', '/recommend-items/:namespace/:recommender/:userId', (c) =>
    respond(c, {
      action: 'recommend-items',
      namespace: c.req.param('namespace'),
      recommender: c.req.param('recommender'),
      userId: pathParam(c, 'userId'),
    }),
  );
  addRoute(app, 'GET', '/related-items/:namespace/:recommender/:itemId', (c) =>
    respond(c, {
      action: 'related-items',
      namespace: c.req.param('namespace'),
      recommender: c.req.param('recommender'),
      itemId: pathParam(c, 'itemId'),
    }),
  );
  addRoute(app, 'GET', '/rerank-items/:namespace/:recommender/:userId/:itemIds', (c) =>
    respond(c, {
      action: 'rerank-items',
      namespace: c.req.param('namespace'),
      recommender: c.req.param('recommender'),
      userId: pathParam(c, 'userId'),
      itemList: itemIdsFromPath(c.req.url),
    }),
  );
  addRoute(
    app,
    'POST',
    '/rerank-items/:namespace/:recommender/:userId',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new PayloadTooLargeError(MAX_BODY_BYTES);
      },
    }),
    async (c) => {
      const userId = pathParam(c, 'userId');
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text());
      } catch {
        throw new BadRequestError('InvalidBody', 'body must be a JSON array of item ID strings');
      }
      return respond(c, {
        action: 'rerank-items',
        namespace: c.req.param('namespace')!,
        recommender: c.req.param('recommender')!,
        userId,
        itemList: validItemIds(body, 'body'),
      });
    },
  );
}
