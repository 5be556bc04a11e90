import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { fanOut } from '../../../data-plane/events/fan-out.ts';
import type { EventBatch } from '../../../data-plane/events/records.ts';
import { PartialDeliveryError } from '../../../data-plane/events/retryable.ts';
import { kinesisStreamTarget } from '../../../data-plane/events/targets/kinesis-stream.ts';
import type { EventTarget } from '../../../data-plane/events/targets/types.ts';
import { type LogAttributes, silentLogger } from '../../../shared/logger.ts';
import { sampleBatch, testClients } from './fixtures.ts';

function recordingLogger() {
  const errors: Array<{ message: string; attributes?: LogAttributes }> = [];
  return {
    logger: {
      ...silentLogger,
      error: (message: string, attributes?: LogAttributes) => errors.push({ message, attributes }),
    },
    errors,
  };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const noSleep = { sleep: async () => {}, random: () => 0 };

describe('fan-out', () => {
  it('calls every target before any has finished (concurrently)', async () => {
    const started: string[] = [];
    const gates = ['a', 'b', 'c'].map((name) => ({ name, ...deferred() }));
    const allStarted = deferred();
    const targets: EventTarget[] = gates.map((gate) => ({
      name: gate.name,
      send: () => {
        started.push(gate.name);
        if (started.length === gates.length) allStarted.resolve();
        return gate.promise;
      },
    }));

    const outcomes = fanOut(targets, sampleBatch(), { logger: silentLogger });
    await allStarted.promise;
    expect(started).toEqual(['a', 'b', 'c']);
    for (const gate of gates.reverse()) gate.resolve();
    expect(await outcomes).toEqual([
      { target: 'a', ok: true },
      { target: 'b', ok: true },
      { target: 'c', ok: true },
    ]);
  });

  it('reports each failed target by name, with the error name, and logs the cause', async () => {
    const { logger, errors } = recordingLogger();
    const targets: EventTarget[] = [
      { name: 'good', send: async () => {} },
      {
        name: 'bad',
        send: async () => {
          throw Object.assign(new Error('stream gone'), { name: 'ResourceNotFoundException' });
        },
      },
    ];
    const outcomes = await fanOut(targets, sampleBatch(), { logger, ...noSleep });
    expect(outcomes).toEqual([
      { target: 'good', ok: true },
      { target: 'bad', ok: false, error: 'ResourceNotFoundException' },
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.attributes).toMatchObject({
      target: 'bad',
      attempts: 1,
      error: { name: 'ResourceNotFoundException', message: 'stream gone' },
    });
  });

  it('retries a throttled Kinesis call with growing, capped delays and succeeds', async () => {
    const clients = testClients();
    const mock = mockClient(clients.kinesis());
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
      $metadata: { httpStatusCode: 400 },
    });
    mock.on(PutRecordCommand).rejectsOnce(throttled).rejectsOnce(throttled).resolves({ SequenceNumber: '1' });
    const delays: number[] = [];
    const outcomes = await fanOut(
      [kinesisStreamTarget({ type: 'kinesis-stream', streamName: 's' }, clients)],
      sampleBatch(),
      {
        logger: silentLogger,
        maxAttempts: 3,
        baseDelayMs: 100,
        maxDelayMs: 150,
        sleep: async (ms) => {
          delays.push(ms);
        },
        random: () => 1,
      },
    );
    expect(outcomes).toEqual([{ target: 'kinesis-stream:s', ok: true }]);
    expect(mock.commandCalls(PutRecordCommand)).toHaveLength(3);
    expect(delays).toEqual([100, 150]);
  });

  it('retries 5xx and network errors but not client errors', async () => {
    const attempts: Record<string, number> = {};
    const failing = (name: string, error: object): EventTarget => ({
      name,
      send: async () => {
        attempts[name] = (attempts[name] ?? 0) + 1;
        throw Object.assign(new Error(name), error);
      },
    });
    const outcomes = await fanOut(
      [
        failing('server', { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }),
        failing('network', { code: 'ECONNRESET' }),
        failing('sdk-flag', { name: 'Whatever', $retryable: {} }),
        failing('client', { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }),
      ],
      sampleBatch(),
      { logger: silentLogger, maxAttempts: 4, ...noSleep },
    );
    expect(attempts).toEqual({ server: 4, network: 4, 'sdk-flag': 4, client: 1 });
    expect(outcomes.map((o) => [o.target, o.ok])).toEqual([
      ['server', false],
      ['network', false],
      ['sdk-flag', false],
      ['client', false],
    ]);
  });

  it('sends only the undelivered records again after a partial failure', async () => {
    const sent: EventBatch[] = [];
    const target: EventTarget = {
      name: 'partial',
      send: async (batch) => {
        sent.push(batch);
        if (sent.length === 1) {
          throw new PartialDeliveryError('1 failed', { ...batch, records: batch.records.slice(2) }, true);
        }
      },
    };
    const batch = sampleBatch();
    expect(await fanOut([target], batch, { logger: silentLogger, ...noSleep })).toEqual([
      { target: 'partial', ok: true },
    ]);
    expect(sent.map((b) => b.records.length)).toEqual([3, 1]);
    expect(sent[1]!.records).toEqual([batch.records[2]]);
  });
});
