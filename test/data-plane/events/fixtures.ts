/**
 * Shared fixtures of the events tests: a batch holding one record of each kind, and target clients
 * built from the real SDK clients (mock them with aws-sdk-client-mock) plus an in-memory file appender.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import type { EventBatch } from '../../../data-plane/events/records.ts';
import type { FileAppender } from '../../../data-plane/events/targets/file-appender.ts';
import type { LearnFunction, TargetClients } from '../../../data-plane/events/targets/types.ts';

export function sampleBatch(): EventBatch {
  return {
    namespace: 'shop',
    partitionKey: 's-1',
    records: [
      {
        kind: 'event',
        namespace: 'shop',
        sessionId: 's-1',
        userId: 'u-1',
        eventId: 'e-1',
        eventType: 'click',
        eventValue: 2.5,
        itemId: 'i-9',
        impression: ['i-9', 'i-8'],
        properties: { deviceType: 'Phone', hour: 9 },
        recommendationId: 'rid-1',
        sentAt: '2026-11-02T10:00:00.000Z',
      },
      {
        kind: 'exposure',
        namespace: 'shop',
        action: 'recommend-items',
        recommender: 'rfy',
        feature: 'home',
        variation: 'b',
        method: 'hash',
        userId: 'u-1',
        recommendationId: 'rid-1',
        itemIds: ['i-9', 'i-8'],
        timestamp: '2026-11-02T09:59:00.000Z',
      },
      {
        kind: 'conversion',
        namespace: 'shop',
        action: 'recommend-items',
        recommender: 'rfy',
        feature: 'home',
        variation: 'b',
        method: 'hash',
        metric: 'clicks',
        value: 1,
        userId: 'u-1',
        timestamp: '2026-11-02T10:00:00.000Z',
      },
    ],
  };
}

export interface TestClients extends TargetClients {
  written: Array<{ path: string; text: string }>;
}

export function testClients(learn?: LearnFunction): TestClients {
  const personalizeEvents = new PersonalizeEventsClient({});
  const kinesis = new KinesisClient({});
  const firehose = new FirehoseClient({});
  const eventBridge = new EventBridgeClient({});
  const written: Array<{ path: string; text: string }> = [];
  const files: FileAppender = {
    async append(path, text) {
      written.push({ path, text });
    },
  };
  return {
    personalizeEvents: () => personalizeEvents,
    kinesis: () => kinesis,
    firehose: () => firehose,
    eventBridge: () => eventBridge,
    files,
    learn,
    written,
  };
}
