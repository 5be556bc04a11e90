/**
 * `kinesis-stream`: one PutRecord per batch whose data is the batch as JSON lines (one record per
 * line), so a request is delivered or retried as a whole and never half-duplicated. The partition key
 * is the session (else the user), keeping a user's records in order on one shard.
 */
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import type { EventTargetConfig } from '../../../schema/config-schema.ts';
import { type EventTarget, streamPayload, type TargetClients, targetName } from './types.ts';

type Config = Extract<EventTargetConfig, { type: 'kinesis-stream' | 'kinesis-firehose' }>;

/**
 * @example
 * const target = kinesisStreamTarget({ type: 'kinesis-stream', streamName: 'clicks' }, clients);
 * await target.send(batch);
 */
export function kinesisStreamTarget(config: Config, clients: TargetClients): EventTarget {
  return {
    name: targetName(config),
    async send(batch, abortSignal) {
      const data = streamPayload(batch, config.recordFormat);
      if (!data) return;
      await clients.kinesis().send(
        new PutRecordCommand({
          StreamName: config.streamName,
          PartitionKey: batch.partitionKey,
          Data: data,
        }),
        { abortSignal },
      );
    },
  };
}
