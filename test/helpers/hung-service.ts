/**
 * The "hung service": a TCP server on 127.0.0.1 that accepts every connection and never answers, as
 * an overloaded or half-dead endpoint does. Point any client at `endpoint` to prove its deadlines.
 */
import { createServer, type Socket } from 'node:net';

export interface HungService {
  port: number;
  endpoint: string;
  /** Connections accepted so far. */
  accepted(): number;
  /** Connections still open from the clients' side. */
  open(): number;
  stop(): Promise<void>;
}

/**
 * @example
 * const hung = await startHungService();
 * env.AWS_ENDPOINT_URL_DYNAMODB = hung.endpoint;
 */
export async function startHungService(): Promise<HungService> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    // Read and discard, never write: the peer waits for an answer that never comes.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    open: () => sockets.size,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
