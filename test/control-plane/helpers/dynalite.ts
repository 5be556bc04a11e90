/**
 * Starts dynalite (DynamoDB's wire protocol, in memory) on 127.0.0.1 with a random port. dynalite ships
 * no types, so it is loaded through a variable specifier and given the small type used here; that keeps
 * this helper free of a global `declare module` another test helper might also declare.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

type Dynalite = (options: { createTableMs?: number; updateTableMs?: number; deleteTableMs?: number }) => Server;

export interface RunningDynalite {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * @example
 * const db = await startDynalite({ createTableMs: 20 });
 * const client = new DynamoDBClient({ endpoint: db.endpoint });
 */
export async function startDynalite(options: { createTableMs?: number; updateTableMs?: number } = {}) {
  const specifier = 'dynalite';
  const { default: dynalite } = (await import(specifier)) as { default: Dynalite };
  const server = dynalite({ createTableMs: 0, updateTableMs: 0, deleteTableMs: 0, ...options });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const running: RunningDynalite = {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
  return running;
}
