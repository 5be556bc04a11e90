/**
 * Issue 13 item 9: an HTTP recommender's answer is read up to a limit (a 150 MB answer no longer grows
 * the process), and the variation's headers — credentials — never follow a redirect to another host.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appFor, json } from '../helpers.ts';

interface Recorded {
  url: string;
  headers: IncomingHttpHeaders;
}

let other: Server;
let main: Server;
let otherUrl = '';
let mainUrl = '';
const seen: Recorded[] = [];
let streamedBytes = 0;

const items = JSON.stringify({ itemList: [{ itemId: 'a' }, { itemId: 'b' }] });

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  other = createServer((req, res) => {
    seen.push({ url: `other${req.url}`, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' }).end(items);
  });
  otherUrl = await listen(other);
  main = createServer((req, res) => {
    seen.push({ url: `main${req.url}`, headers: req.headers });
    req.resume();
    if (req.url === '/elsewhere') return res.writeHead(302, { location: `${otherUrl}/recs` }).end();
    if (req.url === '/here') return res.writeHead(307, { location: '/recs' }).end();
    if (req.url === '/medium') {
      const list = Array.from({ length: 200 }, (_, i) => ({ itemId: `item-${i}` }));
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ itemList: list }));
    }
    if (req.url === '/loop') return res.writeHead(302, { location: '/loop' }).end();
    if (req.url === '/declared-huge') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(150 * 1024 * 1024) });
      return res.write('{"itemList":[');
    }
    if (req.url === '/streamed-huge') {
      // 150 MB without a content-length, written as fast as the client reads.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 32);
      const pump = () => {
        while (streamedBytes < 150 * 1024 * 1024) {
          streamedBytes += chunk.length;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => res.removeAllListeners('drain'));
      return pump();
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(items);
  });
  mainUrl = await listen(main);
});
afterAll(async () => {
  for (const server of [main, other]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const variation = (path: string, extra: Record<string, unknown> = {}) => ({
  type: 'http',
  url: `${mainUrl}${path}`,
  headers: { 'x-api-key': 'origin-secret-key' },
  ...extra,
});
const config = () => ({
  version: '1',
  namespaces: {
    shop: {
      recommenders: {
        'recommend-items': {
          elsewhere: { variations: { a: variation('/elsewhere') } },
          here: { variations: { a: variation('/here') } },
          loop: { variations: { a: variation('/loop') } },
          declared: { variations: { a: variation('/declared-huge') } },
          streamed: { variations: { a: variation('/streamed-huge', { timeoutMs: 10_000 }) } },
          medium: { variations: { a: variation('/medium') } },
          capped: { variations: { a: variation('/medium', { maxResponseBytes: 1024 }) } },
        },
      },
    },
  },
});

describe('HTTP recommender answers', () => {
  it("do not send the variation's headers to another host after a redirect", async () => {
    seen.length = 0;
    const res = await (await appFor(config())).request('/recommend-items/shop/elsewhere/u1');
    expect(res.status).toBe(200);
    const redirected = seen.find((r) => r.url === 'other/recs');
    expect(redirected).toBeDefined();
    expect(redirected!.headers['x-api-key']).toBeUndefined();
  });

  it('keep the headers for a redirect on the same host', async () => {
    seen.length = 0;
    const res = await (await appFor(config())).request('/recommend-items/shop/here/u1');
    expect(res.status).toBe(200);
    expect(seen.find((r) => r.url === 'main/recs')!.headers['x-api-key']).toBe('origin-secret-key');
  });

  it('give up after 3 redirects', async () => {
    seen.length = 0;
    const res = await (await appFor(config())).request('/recommend-items/shop/loop/u1');
    expect(res.status).toBe(502);
    expect(seen).toHaveLength(4);
  });

  it('are refused unread when they declare more than maxResponseBytes (1 MiB by default)', async () => {
    const res = await (await appFor(config())).request('/recommend-items/shop/declared/u1');
    expect(res.status).toBe(502);
    expect(await json(res)).toMatchObject({ code: 'OriginFailed' });
  });

  it('stop being read at maxResponseBytes when they do not declare a length', async () => {
    streamedBytes = 0;
    const before = process.memoryUsage().rss;
    const res = await (await appFor(config())).request('/recommend-items/shop/streamed/u1');
    expect(res.status).toBe(502);
    // The server could write little more than the limit plus the socket buffers before we hung up.
    expect(streamedBytes).toBeLessThan(16 * 1024 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('honour a configured maxResponseBytes', async () => {
    const app = await appFor(config());
    expect((await app.request('/recommend-items/shop/medium/u1?numResults=2')).status).toBe(200);
    expect((await app.request('/recommend-items/shop/capped/u1?numResults=2')).status).toBe(502);
  });
});
