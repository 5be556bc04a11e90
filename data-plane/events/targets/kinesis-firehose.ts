/**
 * `kinesis-firehose`: one PutRecord per batch carrying the batch as newline-terminated JSON lines.
 * Firehose concatenates records into its S3 (or other) objects, so ending every line with a newline
 * keeps the delivered objects valid JSON lines.
 */
import { PutRecordCommand } from '@aws-sdk/client-firehose';
import type { EventTargetConfig } from '../../../schema/config-schema.ts';
import { type EventTarget, streamPayload, type TargetClients, targetName } from './types.ts';

type Config = Extract<EventTargetConfig, { type: 'kinesis-stream' | 'kinesis-firehose' }>;

/**
 * @example
 * const target = kinesisFirehoseTarget({ type: 'kinesis-firehose', streamName: 'events-to-s3' }, clients);
 * await target.send(batch);
 */
export function kinesisFirehoseTarget(config: Config, clients: TargetClients): EventTarget {
  return {
    name: targetName(config),
    async send(batch, abortSignal) {
      const data = streamPayload(batch, config.recordFormat);
      if (!data) return;
      await clients.firehose().send(
        new PutRecordCommand({
          DeliveryStreamName: config.streamName,
          Record: { Data: data },
        }),
        { abortSignal },
      );
    },
  };
}
