/**
 * Starts kinesalite (an in-memory Kinesis implementation) on 127.0.0.1 with a random port, with a
 * client that reads back what a stream holds. The SDK v3 Kinesis client speaks HTTP/2 by default,
 * which kinesalite does not: clients pointed at it need `requestHandler: new NodeHttpHandler()`.
 */
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';

export interface Kinesalite {
  endpoint: string;
  client: KinesisClient;
  /** Creates a one-shard stream (ACTIVE at once). */
  createStream(name: string): Promise<void>;
  /** Every record's data, as UTF-8 text, in shard order. */
  records(name: string): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * @example
 * const kinesis = await startKinesalite();
 * await kinesis.createStream('clicks');
 * expect(await kinesis.records('clicks')).toHaveLength(1);
 */
export async function startKinesalite(): Promise<Kinesalite> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: new NodeHttpHandler(),
  });
  return {
    endpoint,
    client,
    async createStream(name) {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    },
    async records(name) {
      const { StreamDescription } = await client.send(new DescribeStreamCommand({ StreamName: name }));
      const out: string[] = [];
      for (const shard of StreamDescription?.Shards ?? []) {
        let { ShardIterator: iterator } = await client.send(
          new GetShardIteratorCommand({ StreamName: name, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
        );
        while (iterator) {
          const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
          out.push(...(page.Records ?? []).map((r) => Buffer.from(r.Data ?? []).toString('utf8')));
          if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) break;
          iterator = page.NextShardIterator;
        }
      }
      return out;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        client.destroy();
        server.closeAllConnections?.();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
