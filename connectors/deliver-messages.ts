/**
 * The delivery Lambda's core: each SQS message is one destination request (≤ 75 users for Braze).
 * Users the destination refuses go to the dead-letter queue with the reason and are dropped from the
 * sync state, so the next run sends them again; a request the destination could not take at all
 * (429s and 5xx past the retries, a refused key) is reported as a batch item failure, so SQS retries
 * that message alone and, after its receive limit, moves it to the dead-letter queue.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger as Log } from '../shared/logger.ts';
import { type DeliveryMessage, deliveryMessageSchema } from '../state-machines/connectors-payload.ts';
import type { DestinationSender } from './destinations/types.ts';
import type { SyncStateStore } from './sync-state.ts';

export interface DeliverDeps {
  sender(message: DeliveryMessage): Promise<DestinationSender>;
  state(stateKey: string): SyncStateStore;
  sqs: SQSClient;
  deadLetterQueueUrl: string;
  logger: Log;
}

async function deadLetter(deps: DeliverDeps, body: unknown, reason: string): Promise<void> {
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.deadLetterQueueUrl,
      MessageBody: JSON.stringify(body),
      MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 1000) } },
    }),
  );
}

/**
 * @example
 * export const handler = (event: SQSEvent) => deliverMessages(event, deps); // with ReportBatchItemFailures on
 */
export async function deliverMessages(event: SQSEvent, deps: DeliverDeps): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  await Promise.all(
    event.Records.map(async (message) => {
      let parsed: DeliveryMessage;
      try {
        parsed = deliveryMessageSchema.parse(JSON.parse(message.body));
      } catch (err) {
        await deadLetter(deps, { body: message.body }, `malformed delivery message: ${(err as Error).message}`);
        return;
      }
      try {
        const sender = await deps.sender(parsed);
        const rejections = await sender.send(parsed.records);
        if (rejections.length > 0) {
          for (const { record, reason } of rejections) {
            await deadLetter(
              deps,
              {
                connector: parsed.connector,
                stateKey: parsed.stateKey,
                userId: record.userId,
                reason,
                record: record.record,
              },
              reason,
            );
          }
          await deps.state(parsed.stateKey).forget(
            parsed.connector,
            rejections.map((r) => r.record.userId),
          );
        }
        deps.logger.info('delivered', {
          connector: parsed.connector,
          messageId: message.messageId,
          users: parsed.records.length - rejections.length,
          rejected: rejections.length,
        });
      } catch (err) {
        deps.logger.warn('delivery failed; SQS will retry the message', {
          connector: parsed.connector,
          messageId: message.messageId,
          error: (err as Error).message,
        });
        failures.push({ itemIdentifier: message.messageId });
      }
    }),
  );
  return { batchItemFailures: failures };
}
