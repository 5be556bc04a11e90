/**
 * Raw HTTP/1.1 thrown at the real Node server of `p13n serve` over a socket: request targets and header
 * values no Fetch `Request` could carry (non-ASCII bytes, `*`, absolute URLs, control characters,
 * oversized headers). Every answer is a status below 500 and, for errors, a JSON `{type, code, message}`.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeCacheShortcut } from '../../data-plane/node/cache-shortcut.ts';
import { createNodeServer } from '../../data-plane/node/server.ts';
import { buildApp } from '../../data-plane/wiring.ts';
import { silentLogger } from '../../shared/logger.ts';
import { fakeOrigin, swappableConfig, unusedClients } from '../helpers/fake-origin.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

let server: Server;
let port: number;

beforeAll(async () => {
  const config = swappableConfig({
    version: '1',
    namespaces: {
      shop: {
        recommenders: {
          'recommend-items': { top: { variations: { a: { type: 'http', url: 'http://o.test' } } } },
          'rerank-items': { ranking: { variations: { a: { type: 'http', url: 'http://o.test' } } } },
        },
      },
    },
  });
  // The cache-hit shortcut is on, as in `p13n serve`, so it is fuzzed too.
  const shortcut = new NodeCacheShortcut({ config });
  const app = buildApp({
    config,
    onResponseCached: shortcut.remember,
    clients: unusedClients(),
    resolvers: { http: fakeOrigin().resolver },
    logger: silentLogger,
  });
  server = createNodeServer(app.fetch, { shortcut });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Sends raw bytes and reads the whole answer (the request asks the server to close). */
function exchange(raw: Buffer): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, headers: head.toLowerCase(), body: split === -1 ? '' : text.slice(split + 4) });
    });
    socket.end(raw);
  });
}

function request(method: string, target: string | Buffer, headers: Buffer[] = [], body = ''): Buffer {
  return Buffer.concat([
    Buffer.from(`${method} `, 'latin1'),
    typeof target === 'string' ? Buffer.from(target, 'latin1') : target,
    Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n', 'latin1'),
    ...headers.flatMap((h) => [h, Buffer.from('\r\n')]),
    Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, 'latin1'),
  ]);
}

async function assertWellBehaved(raw: Buffer) {
  const res = await exchange(raw);
  const where = `${JSON.stringify(raw.toString('latin1').slice(0, 200))} → ${res.status} ${res.body.slice(0, 200)}`;
  expect(res.status, where).toBeGreaterThanOrEqual(200);
  expect(res.status, where).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers, where).toContain('content-type: application/json');
    const parsed = JSON.parse(res.body) as Record<string, unknown>;
    expect(Object.keys(parsed).sort(), where).toEqual(['code', 'message', 'type']);
  }
  expect(/\n\s+at |\.ts:\d+|node:internal|\/work\//.test(res.body), where).toBe(false);
}

describe('the Node server answers malformed HTTP with JSON errors', () => {
  it.each([
    ['an asterisk target', request('GET', '*')],
    ['a raw non-ASCII byte in the path', request('GET', Buffer.from('/recommend-items/shop/top/\xff', 'latin1'))],
    ['an absolute URL to another host', request('GET', 'http://evil.test/recommend-items/shop/top/u1')],
    ['a malformed request line', Buffer.from('GARBAGE\r\n\r\n')],
    ['a header with a control character', request('GET', '/recommend-items/shop/top/u1', [Buffer.from('X-A: b\x01c')])],
    [
      'a bad Host header',
      Buffer.from('GET /recommend-items/shop/top/u1 HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n'),
    ],
    ['headers beyond the size limit', request('GET', '/', [Buffer.from(`X-Big: ${'a'.repeat(20_000)}`)])],
  ])('%s', async (_, raw) => {
    await assertWellBehaved(raw);
  });

  it('random raw targets, header values and bodies', async () => {
    const byteString = (max: number) =>
      fc.uint8Array({ maxLength: max }).map((bytes) => Buffer.from(bytes.filter((b) => b > 32 && b !== 127)));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'HEAD', 'OPTIONS', 'BREW'),
        fc.constantFrom('/recommend-items/shop/top/', '/rerank-items/shop/ranking/u1', '/', ''),
        byteString(60),
        byteString(60),
        fc.string({ maxLength: 100 }),
        async (method, prefix, suffix, headerValue, body) => {
          const target = Buffer.concat([Buffer.from(prefix), suffix]);
          const raw = request(method, target, [Buffer.concat([Buffer.from('X-Fuzz: '), headerValue])], body);
          if (method === 'HEAD') {
            const res = await exchange(raw);
            expect(res.status).toBeLessThan(500);
          } else await assertWellBehaved(raw);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
