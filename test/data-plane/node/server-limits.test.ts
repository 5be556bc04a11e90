/**
 * Slow clients cannot hold the Node server: headers that trickle in get a 408 JSON answer and a closed
 * socket, idle keep-alive connections are closed, connections beyond the cap are refused, and the
 * bounds come from validated environment variables.
 */
import type { Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvError } from '../../../data-plane/env.ts';
import { createNodeServer } from '../../../data-plane/node/server.ts';
import { DEFAULT_NODE_SERVER_LIMITS, nodeServerLimits } from '../../../data-plane/node/server-limits.ts';

let server: Server | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function start(limits: Partial<typeof DEFAULT_NODE_SERVER_LIMITS>): Promise<number> {
  server = createNodeServer(async (request) => new Response(request.body ? await request.text() : 'ok'), {
    limits: { ...DEFAULT_NODE_SERVER_LIMITS, ...limits },
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A client socket and everything it receives until the server closes it. */
async function open(port: number): Promise<{ socket: Socket; closed: Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk;
  });
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, closed };
}

describe('Node server limits', () => {
  it('answers a client whose headers never finish with a 408 JSON error and closes the socket', async () => {
    const port = await start({ headersTimeoutMs: 200, requestTimeoutMs: 200 });
    const { socket, closed } = await open(port);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const answer = await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      type: 'ClientError',
      code: 'RequestTimeout',
      message: 'the request was not received in time',
    });
  });

  it('answers a client whose body never finishes with a 408 and closes the socket', async () => {
    const port = await start({ headersTimeoutMs: 200, requestTimeoutMs: 300 });
    const { socket, closed } = await open(port);
    socket.write('POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":');
    expect(await closed).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const port = await start({ keepAliveTimeoutMs: 100 });
    const { socket, closed } = await open(port);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const answer = await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*ok$/);
  });

  it('refuses connections beyond the cap and serves those within it', async () => {
    const port = await start({ maxConnections: 2 });
    const first = await open(port);
    const second = await open(port);
    const third = await open(port);
    expect(await third.closed).toBe('');
    for (const { socket } of [first, second]) socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await first.closed).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*ok$/);
    expect(await second.closed).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('reads the bounds from the environment, naming a bad variable', () => {
    expect(
      nodeServerLimits({
        P13N_HEADERS_TIMEOUT_MS: '2000',
        P13N_REQUEST_TIMEOUT_MS: '1000',
        P13N_KEEP_ALIVE_TIMEOUT_MS: '3000',
        P13N_MAX_CONNECTIONS: '50',
      }),
    ).toEqual({ headersTimeoutMs: 1000, requestTimeoutMs: 1000, keepAliveTimeoutMs: 3000, maxConnections: 50 });
    expect(DEFAULT_NODE_SERVER_LIMITS).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 10_000,
    });
    expect(() => nodeServerLimits({ P13N_MAX_CONNECTIONS: 'many' })).toThrow(EnvError);
    expect(() => nodeServerLimits({ P13N_MAX_CONNECTIONS: 'many' })).toThrow(/P13N_MAX_CONNECTIONS/);
  });
});
