/**
 * Starts dynalite (an in-memory DynamoDB implementation) on 127.0.0.1 with a random port, so tests and
 * benchmarks talk to a real DynamoDB wire protocol without an AWS account. Tables become ACTIVE at once.
 */
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/**
 * @example
 * const db = await startDynalite();
 * const client = new DynamoDBClient({ endpoint: db.endpoint });
 * afterAll(() => db.stop());
 */
export async function startDynalite(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
