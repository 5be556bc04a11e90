import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ItemMetadataStore } from '../../data-plane/item-metadata/types.ts';
import type { OriginRequest } from '../../data-plane/origins/types.ts';
import { createAwsClients } from '../../shared/aws-clients.ts';
import { appFor, httpConfig, json, startTinyRecommender, type TinyRecommender, UUID_V7 } from './helpers.ts';

let recommender: TinyRecommender;
let app: Awaited<ReturnType<typeof appFor>>;
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

beforeAll(async () => {
  recommender = await startTinyRecommender();
  app = await appFor(httpConfig(recommender.url), { clock: () => NOW });
});
afterAll(() => recommender.close());
beforeEach(() => {
  recommender.requests.length = 0;
});

const lastPayload = () => JSON.parse(recommender.requests.at(-1)!.body);

describe('recommend-items', () => {
  it('answers the origin items with version, cache and ETag headers', async () => {
    const res = await app.request('/recommend-items/retail/for-you/u1?numResults=3');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-personalization-config-version')).toBe('7');
    expect(res.headers.get('cache-control')).toBe('max-age=10, private');
    expect(res.headers.get('etag')).toMatch(new RegExp(`^"[0-9a-f]{20}-${NOW}-10-[0-9a-f]{16}"$`));
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await json(res)).toEqual({
      itemList: [
        { itemId: 'item-1', score: 1 },
        { itemId: 'item-2', score: 0.5 },
        { itemId: 'item-3', score: 1 / 3 },
      ],
      recommendationId: 'rid-1',
    });
    const sent = recommender.requests.at(-1)!;
    expect(sent.headers['x-api-key']).toBe('k1');
    expect(JSON.parse(sent.body)).toMatchObject({
      version: '1.0',
      action: 'recommend-items',
      recommender: { path: '/recommend-items/retail/for-you', config: { defaultNumResults: 5, maxNumResults: 50 } },
      variation: { key: 'post', type: 'http' },
      userId: 'u1',
      numResults: 3,
      context: {},
    });
  });

  it('uses the recommender default numResults', async () => {
    const body = await json(await app.request('/recommend-items/retail/for-you/u1'));
    expect(body.itemList).toHaveLength(5);
  });

  it.each([
    ['abc', 'numResults must be a whole number from 1 to 50'],
    ['0', 'numResults must be a whole number from 1 to 50'],
    ['51', 'numResults must be a whole number from 1 to 50'],
    ['2.5', 'numResults must be a whole number from 1 to 50'],
  ])('rejects numResults=%s with a 400 naming the parameter (not a 500)', async (value, message) => {
    const res = await app.request(`/recommend-items/retail/for-you/u1?numResults=${value}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-personalization-config-version')).toBe('7');
    expect(await json(res)).toEqual({ type: 'ClientError', code: 'InvalidParameter', message });
    expect(recommender.requests).toHaveLength(0);
  });

  it.each([
    ['context', '{bad', 'context must be a JSON object of strings'],
    ['context', '{"a":1}', 'context'],
    ['filterValues', '[1]', 'filterValues'],
    ['feature', 'no such!', 'feature'],
    ['filter', 'a b', 'filter'],
  ])('rejects a malformed %s parameter with a 400 naming it', async (param, value, start) => {
    const res = await app.request(`/recommend-items/retail/for-you/u1?${param}=${encodeURIComponent(value)}`);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.type).toBe('ClientError');
    expect(body.message.startsWith(start)).toBe(true);
    expect(JSON.stringify(body)).not.toContain('at ');
  });

  it('reads each query string as it is, however often and however many come, short or long', async () => {
    for (let round = 0; round < 2; round++) {
      for (const n of [1, 2, 3]) {
        const body = await json(await app.request(`/recommend-items/retail/for-you/u1?numResults=${n}`));
        expect(body.itemList).toHaveLength(n);
      }
      const bad = await app.request('/recommend-items/retail/for-you/u1?numResults=0');
      expect(bad.status).toBe(400);
    }
    // Past the bound on kept query strings, and one longer than any kept: still read, each its own.
    for (let i = 0; i < 1_100; i += 97) {
      await app.request(`/recommend-items/retail/for-you/u1?numResults=2&bust=${i}`);
      expect(lastPayload().numResults).toBe(2);
    }
    const context = JSON.stringify({ note: 'x'.repeat(300) });
    await app.request(`/recommend-items/retail/for-you/u1?numResults=4&context=${encodeURIComponent(context)}`);
    expect(lastPayload()).toMatchObject({ numResults: 4, context: { note: 'x'.repeat(300) } });
  });

  it('passes the context parameter to the origin', async () => {
    await app.request(`/recommend-items/retail/for-you/u1?context=${encodeURIComponent('{"device":"tv"}')}`);
    expect(lastPayload().context).toEqual({ device: 'tv' });
  });

  it('accepts a feature the recommender has an experiment for and rejects an unknown one', async () => {
    expect((await app.request('/recommend-items/retail/for-you/u1?feature=home-page')).status).toBe(200);
    const res = await app.request('/recommend-items/retail/for-you/u1?feature=checkout');
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ code: 'UnknownFeature', message: expect.stringMatching(/^feature: /) });
  });

  it('uses syntheticUserSpecified cache control for synthetic users', async () => {
    const res = await app.request('/recommend-items/retail/for-you/cohort-7?syntheticUser=YES');
    expect(res.headers.get('cache-control')).toBe('max-age=300, public');
    expect(res.headers.get('etag')).toMatch(/-300-[0-9a-f]{16}"$/);
  });

  it('decodes path parameters exactly once', async () => {
    await app.request('/recommend-items/retail/for-you/a%2525b%2Fc%20d');
    expect(lastPayload().userId).toBe('a%25b/c d');
  });

  it('fills GET URL templates with URL-encoded values', async () => {
    const res = await app.request('/recommend-items/retail/by-get/user%20one?numResults=2');
    expect(res.status).toBe(200);
    expect(recommender.requests.at(-1)!.url).toBe('/users/user%20one/recs?n=2');
    expect(await json(res)).toEqual({
      itemList: [{ itemId: 'user one-pick-1' }, { itemId: 'user one-pick-2' }],
      recommendationId: res.headers.get('x-personalization-recommendation-id'),
    });
    expect(res.headers.get('x-personalization-recommendation-id')).toMatch(UUID_V7);
  });

  it('GETs an old-style URL with placeholders and no method, filled from the request and its query string', async () => {
    const filter = 'arn:aws:personalize:us-east-1:123456789012:filter/no-shoes';
    const context = encodeURIComponent('{"device":"Phone"}');
    const res = await app.request(
      `/recommend-items/retail/old-style/u%2F1?numResults=2&filter=${filter}&context=${context}`,
    );
    expect(res.status).toBe(200);
    const sent = recommender.requests.at(-1)!;
    expect(sent.method).toBe('GET');
    expect(sent.body).toBe('');
    expect(sent.url).toBe(`/users/u%2F1/recs?n=2&f=${encodeURIComponent(filter)}&ctx=${context}`);
    expect((await json(res)).itemList).toEqual([{ itemId: 'u/1-pick-1' }, { itemId: 'u/1-pick-2' }]);
    await app.request('/recommend-items/retail/old-style/u2');
    expect(recommender.requests.at(-1)!.url).toBe('/users/u2/recs?n=25&f=&ctx=');
  });
});

describe('conditional requests', () => {
  it('answers 304 to an unexpired ETag of ours without calling the origin', async () => {
    const first = await app.request('/recommend-items/retail/for-you/u1');
    const etag = first.headers.get('etag')!;
    recommender.requests.length = 0;
    const res = await app.request('/recommend-items/retail/for-you/u1', { headers: { 'If-None-Match': etag } });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe(etag);
    expect(res.headers.get('x-personalization-config-version')).toBe('7');
    expect(recommender.requests).toHaveLength(0);
  });

  it('serves a fresh response for an expired ETag', async () => {
    const expired = `"${'a'.repeat(20)}-${NOW - 11_000}-10"`;
    // A user no earlier test asked for, so the response cache has nothing to answer with either.
    const res = await app.request('/recommend-items/retail/for-you/u-etag', { headers: { 'If-None-Match': expired } });
    expect(res.status).toBe(200);
    expect(recommender.requests).toHaveLength(1);
  });

  it.each(['garbage', '"abc-def-ghi"', '*', 'W/"x"', `"${'b'.repeat(20)}-99999999999999999999-10"`])(
    'ignores the malformed ETag %s',
    async (value) => {
      const res = await app.request('/recommend-items/retail/for-you/u1', { headers: { 'If-None-Match': value } });
      expect(res.status).toBe(200);
    },
  );
});

describe('related-items and rerank-items', () => {
  it('related-items without a user uses noUserSpecified cache control', async () => {
    const res = await app.request('/related-items/retail/similar/item%2F9?numResults=2');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('max-age=1200, public');
    expect(lastPayload()).toMatchObject({ action: 'related-items', itemId: 'item/9', numResults: 2 });
    expect(lastPayload().userId).toBeUndefined();
  });

  it('related-items with a userId query uses userSpecified cache control and passes the user', async () => {
    const res = await app.request('/related-items/retail/similar/i9?userId=u5');
    expect(res.headers.get('cache-control')).toBe('max-age=10, private');
    expect(lastPayload().userId).toBe('u5');
  });

  it('GET rerank-items splits the IDs before decoding, so encoded commas stay inside an ID', async () => {
    const res = await app.request('/rerank-items/retail/ranking/u1/a,b%2Cc,d%20e');
    expect(res.status).toBe(200);
    expect(lastPayload().itemList).toEqual(['a', 'b,c', 'd e']);
    const body = await json(res);
    expect(body.personalizedRanking.map((i: { itemId: string }) => i.itemId)).toEqual(['d e', 'b,c', 'a']);
    expect(body.recommendationId).toBe('rid-rerank');
  });

  it('POST rerank-items works, and is no-store without an ETag', async () => {
    const res = await app.request('/rerank-items/retail/ranking/u1', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(['x', 'y', 'z']),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('etag')).toBeNull();
    expect((await json(res)).personalizedRanking.map((i: { itemId: string }) => i.itemId)).toEqual(['z', 'y', 'x']);
  });

  it('trims rerank results to numResults', async () => {
    const res = await app.request('/rerank-items/retail/ranking/u1/a,b,c?numResults=1');
    expect((await json(res)).personalizedRanking).toEqual([{ itemId: 'c', score: 1 }]);
  });

  it.each([
    ['not json', 'body must be a JSON array of item ID strings'],
    ['{"a":1}', 'body must be a JSON array of item ID strings'],
    ['[]', 'body must hold at least one item ID'],
    ['[1,2]', 'body must hold item ID strings'],
    ['[""]', 'body must not hold empty item IDs'],
  ])('POST rerank-items rejects the body %s with a 400', async (body, message) => {
    const res = await app.request('/rerank-items/retail/ranking/u1', { method: 'POST', body });
    expect(res.status).toBe(400);
    expect((await json(res)).message).toBe(message);
  });

  it('POST rerank-items rejects an oversized body with a 413', async () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `item-${i}-${'x'.repeat(200)}`);
    const res = await app.request('/rerank-items/retail/ranking/u1', { method: 'POST', body: JSON.stringify(ids) });
    expect(res.status).toBe(413);
    expect(await json(res)).toMatchObject({ type: 'ClientError', code: 'PayloadTooLarge' });
  });

  it('GET rerank-items rejects empty IDs', async () => {
    const res = await app.request('/rerank-items/retail/ranking/u1/a,,b');
    expect(res.status).toBe(400);
    expect((await json(res)).message).toBe('itemIds must not hold empty item IDs');
  });
});

describe('routing and errors', () => {
  it.each([
    ['/recommend-items/nope/for-you/u1', 'NamespaceNotFound'],
    ['/recommend-items/retail/nope/u1', 'RecommenderNotConfigured'],
    ['/related-items/retail/for-you/i1', 'RecommenderNotConfigured'],
    ['/no/such/route', 'NotFound'],
    ['/recommend-items/retail/for-you', 'NotFound'],
  ])('%s is a JSON 404 (%s) with the config version', async (path, code) => {
    const res = await app.request(path);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-personalization-config-version')).toBe('7');
    expect(await json(res)).toMatchObject({ type: 'ClientError', code });
  });

  it.each([
    ['DELETE', '/recommend-items/retail/for-you/u1', 'GET, HEAD'],
    ['POST', '/related-items/retail/similar/i1', 'GET, HEAD'],
    ['PUT', '/rerank-items/retail/ranking/u1', 'POST'],
    ['GET', '/rerank-items/retail/ranking/u1', 'POST'],
  ])('%s %s is a JSON 405 with Allow', async (method, path, allow) => {
    const res = await app.request(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(res.headers.get('x-personalization-config-version')).toBe('7');
    expect(await json(res)).toMatchObject({ type: 'ClientError', code: 'MethodNotAllowed' });
  });

  it('answers HEAD like GET without a body', async () => {
    const res = await app.request('/recommend-items/retail/for-you/u1', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"/);
    expect(await res.text()).toBe('');
  });

  it('mounts extra routes before the fallbacks; they see the configuration and get the version header', async () => {
    const withExtra = await appFor(httpConfig(recommender.url), {
      extraRoutes: (a) => {
        a.post('/custom/:namespace', (c) =>
          c.json({ namespaces: [...c.get('config').namespaces.keys()], namespace: c.req.param('namespace') }, 202),
        );
      },
    });
    const res = await withExtra.request('/custom/retail', { method: 'POST', body: '{}' });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-personalization-config-version')).toBe('7');
    expect(await json(res)).toEqual({ namespaces: ['retail'], namespace: 'retail' });
  });

  it('answers CORS preflights and exposes the custom headers', async () => {
    const pre = await app.request('/recommend-items/retail/for-you/u1', {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    const res = await app.request('/recommend-items/retail/for-you/u1', {
      headers: { Origin: 'https://shop.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Personalization-Config-Version');
  });

  it.each([
    ['slow', 504, 'OriginTimeout'],
    ['throttled', 429, 'OriginThrottled'],
    ['failing', 502, 'OriginFailed'],
    ['not-json', 502, 'OriginFailed'],
    ['wrong-shape', 502, 'OriginFailed'],
  ])('origin %s → %i %s without a stack trace', async (rec, status, code) => {
    const res = await app.request(`/recommend-items/retail/${rec}/u1`);
    expect(res.status).toBe(status);
    expect(res.headers.get('x-personalization-config-version')).toBe('7');
    const body = await json(res);
    expect(body).toMatchObject({ type: 'OriginError', code });
    expect(Object.keys(body).sort()).toEqual(
      status >= 500 ? ['code', 'message', 'requestId', 'type'] : ['code', 'message', 'type'],
    );
    expect(body.message).not.toMatch(/\n\s+at /);
  });

  it('an unexpected error is a generic 500 that leaks nothing', async () => {
    const broken = await appFor(
      {
        version: 1,
        namespaces: {
          s: {
            inferenceItemMetadata: { type: 'localdb' },
            recommenders: httpConfig(recommender.url).namespaces.retail.recommenders,
          },
        },
      },
      {
        itemMetadata: () => {
          throw new TypeError('secret internals');
        },
      },
    );
    const res = await broken.request('/recommend-items/s/for-you/u1');
    expect(res.status).toBe(500);
    expect(res.headers.get('x-personalization-config-version')).toBe('1');
    expect(await json(res)).toEqual({
      type: 'ServerError',
      code: 'InternalError',
      message: 'internal error',
      requestId: expect.any(String),
    });
  });

  it('a variation type without a resolver is a 500 ServerError naming the type', async () => {
    const noHttp = await appFor(httpConfig(recommender.url), { resolvers: {} });
    const res = await noHttp.request('/recommend-items/retail/for-you/u1');
    expect(res.status).toBe(500);
    expect(await json(res)).toMatchObject({ type: 'ServerError', code: 'OriginTypeNotAvailable' });
  });
});

describe('decoration, post-processing and look-ahead', () => {
  const captured: OriginRequest[] = [];
  const fakeOrigin = async (request: OriginRequest) => {
    captured.push(request);
    return {
      items: Array.from({ length: request.numResults }, (_, i) => ({ itemId: `i${i}` })),
      recommendationId: 'r1',
    };
  };
  const store: ItemMetadataStore = {
    getMany: async (ids) => new Map(ids.filter((id) => id !== 'i1').map((id) => [id, { name: `Name ${id}` }])),
  };
  const decoratedConfig = (extra: Record<string, unknown> = {}) => ({
    version: 3,
    namespaces: {
      shop: {
        inferenceItemMetadata: { type: 'localdb' },
        recommenders: {
          'recommend-items': {
            recs: { variations: { v: { type: 'http', url: 'http://127.0.0.1:1/never' } }, ...extra },
          },
        },
      },
    },
  });

  beforeEach(() => {
    captured.length = 0;
  });

  it('decorates items from the namespace store; unknown items stay undecorated', async () => {
    const seen: string[] = [];
    const decorated = await appFor(decoratedConfig(), {
      resolvers: { http: fakeOrigin },
      itemMetadata: (ns, cfg) => {
        seen.push(`${ns}:${cfg.type}`);
        return store;
      },
    });
    const body = await json(await decorated.request('/recommend-items/shop/recs/u1?numResults=3'));
    expect(seen).toEqual(['shop:localdb']);
    expect(body.itemList).toEqual([
      { itemId: 'i0', metadata: { name: 'Name i0' } },
      { itemId: 'i1' },
      { itemId: 'i2', metadata: { name: 'Name i2' } },
    ]);
    const plain = await json(await decorated.request('/recommend-items/shop/recs/u1?numResults=2&decorateItems=0'));
    expect(plain.itemList).toEqual([{ itemId: 'i0' }, { itemId: 'i1' }]);
  });

  it('a failing store is a 502', async () => {
    const broken = await appFor(decoratedConfig(), {
      resolvers: { http: fakeOrigin },
      itemMetadata: () => ({
        getMany: async () => {
          throw new Error('disk gone');
        },
      }),
    });
    const res = await broken.request('/recommend-items/shop/recs/u1');
    expect(res.status).toBe(502);
    expect(await json(res)).toMatchObject({ code: 'OriginFailed', requestId: expect.any(String) });
  });

  it('asks for numResults × lookAheadMultiplier, post-processes through Lambda, then trims', async () => {
    const lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).callsFake((input) => {
      const payload = JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array));
      const kept = payload.response.itemList.filter((i: { itemId: string }) => i.itemId !== 'i0');
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify({ itemList: kept })) };
    });
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:post';
    const processed = await appFor(
      decoratedConfig({
        responsePostProcessor: { type: 'function', arn, lookAheadMultiplier: 2.5, lookAheadMaximumValue: 100 },
      }),
      { resolvers: { http: fakeOrigin }, itemMetadata: () => store, clients: createAwsClients({ maxAttempts: 1 }) },
    );
    const res = await processed.request('/recommend-items/shop/recs/u1?numResults=4');
    expect(res.status).toBe(200);
    expect(captured[0]!.numResults).toBe(10);
    const call = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(call.FunctionName).toBe(arn);
    const payload = JSON.parse(new TextDecoder().decode(call.Payload as Uint8Array));
    expect(payload).toMatchObject({ version: '1.0', action: 'recommend-items', userId: 'u1', numResults: 4 });
    expect(payload.response.itemList).toHaveLength(10);
    expect(payload.response.itemList[0]).toEqual({ itemId: 'i0', metadata: { name: 'Name i0' } });
    const body = await json(res);
    expect(body.itemList.map((i: { itemId: string }) => i.itemId)).toEqual(['i1', 'i2', 'i3', 'i4']);
    expect(body.recommendationId).toBe('r1');
    lambda.restore();
  });
});
