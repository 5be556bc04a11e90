import { PutRecordCommand as FirehosePutRecordCommand } from '@aws-sdk/client-firehose';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { kinesisFirehoseTarget } from '../../../../data-plane/events/targets/kinesis-firehose.ts';
import { kinesisStreamTarget } from '../../../../data-plane/events/targets/kinesis-stream.ts';
import { sampleBatch, testClients } from '../fixtures.ts';

const lines = (data: Uint8Array | undefined) => Buffer.from(data ?? []).toString('utf8');

describe('kinesis-stream target', () => {
  it('puts one record holding the batch as JSON lines, keyed by the session', async () => {
    const clients = testClients();
    const mock = mockClient(clients.kinesis());
    mock.on(PutRecordCommand).resolves({ ShardId: 'shardId-0', SequenceNumber: '1' });
    const target = kinesisStreamTarget({ type: 'kinesis-stream', streamName: 'clicks' }, clients);
    const batch = sampleBatch();

    await target.send(batch);

    expect(target.name).toBe('kinesis-stream:clicks');
    const calls = mock.commandCalls(PutRecordCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.StreamName).toBe('clicks');
    expect(input.PartitionKey).toBe('s-1');
    const text = lines(input.Data);
    expect(text.endsWith('\n')).toBe(true);
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(batch.records);
  });
});

describe('kinesis-firehose target', () => {
  it('puts one newline-terminated JSON-lines record on the delivery stream', async () => {
    const clients = testClients();
    const mock = mockClient(clients.firehose());
    mock.on(FirehosePutRecordCommand).resolves({ RecordId: 'r-1' });
    const target = kinesisFirehoseTarget({ type: 'kinesis-firehose', streamName: 'events-to-s3' }, clients);
    const batch = sampleBatch();

    await target.send(batch);

    expect(target.name).toBe('kinesis-firehose:events-to-s3');
    const calls = mock.commandCalls(FirehosePutRecordCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.DeliveryStreamName).toBe('events-to-s3');
    expect(lines(input.Record?.Data)).toBe(batch.records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  });
});

describe("the 'request' record format", () => {
  const request = {
    namespace: 'shop',
    path: '/events/shop',
    headers: { 'user-agent': 'test' },
    queryStringParameters: null,
    body: { sessionId: 's-1', eventList: [{ eventType: 'click' }] },
  };

  it('puts the request document, newline-terminated, on a stream and a delivery stream', async () => {
    const clients = testClients();
    const stream = mockClient(clients.kinesis());
    stream.on(PutRecordCommand).resolves({ ShardId: 'shardId-0', SequenceNumber: '1' });
    const firehose = mockClient(clients.firehose());
    firehose.on(FirehosePutRecordCommand).resolves({ RecordId: 'r-1' });
    const batch = { ...sampleBatch(), request };

    await kinesisStreamTarget({ type: 'kinesis-stream', streamName: 'old', recordFormat: 'request' }, clients).send(
      batch,
    );
    await kinesisFirehoseTarget({ type: 'kinesis-firehose', streamName: 'old', recordFormat: 'request' }, clients).send(
      batch,
    );

    expect(lines(stream.commandCalls(PutRecordCommand)[0]!.args[0].input.Data)).toBe(`${JSON.stringify(request)}\n`);
    expect(lines(firehose.commandCalls(FirehosePutRecordCommand)[0]!.args[0].input.Record?.Data)).toBe(
      `${JSON.stringify(request)}\n`,
    );
  });

  it('sends nothing for a batch without a request (an exposure of a served response)', async () => {
    const clients = testClients();
    const stream = mockClient(clients.kinesis());
    await kinesisStreamTarget({ type: 'kinesis-stream', streamName: 'old', recordFormat: 'request' }, clients).send(
      sampleBatch(),
    );
    expect(stream.commandCalls(PutRecordCommand)).toHaveLength(0);
  });
});
