import { readFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import aslValidator from 'asl-validator';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler as cleanupRun } from '../../connectors/handlers/cleanup-run.ts';
import { handler as commitBatch } from '../../connectors/handlers/commit-batch.ts';
import { handler as indexMapping } from '../../connectors/handlers/index-user-item-mapping.ts';
import { handler as prepareJob } from '../../connectors/handlers/prepare-job.ts';
import { handler as processBatch } from '../../connectors/handlers/process-batch.ts';
import { deliveryMessageSchema } from '../../state-machines/connectors-payload.ts';
import { fixture } from '../control-plane/helpers/fixtures.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { startS3rver } from '../helpers/s3rver.ts';
import { loadDefinition, readDefinitionText } from '../state-machines/run-state-machine.ts';
import {
  createConnectorTables,
  dynamodbClient,
  SAMPLES,
  SHOPPERS,
  SIMILAR,
  s3Client,
  scanAll,
  uploadSampleJob,
} from './helpers.ts';
import { runConnectorsMachine, withEmulatedItemReaders } from './run-connectors-machine.ts';

const BUCKET = 'connectors-jobs';
const TABLES = { state: 'ConnectorsSyncState', index: 'ConnectorsUserIndex' };
const BRAZE_QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/braze';
const HANDLERS = {
  PrepareJob: prepareJob,
  IndexMappingFiles: indexMapping,
  ProcessPartFiles: processBatch,
  CommitPartFiles: commitBatch,
  CleanupRun: cleanupRun,
};

const sqs = mockClient(SQSClient);
let s3: S3Client;
let dynamodb: DynamoDBClient;
let stop: Array<() => Promise<void>> = [];

beforeAll(async () => {
  const s3rver = await startS3rver();
  const dynalite = await startDynalite();
  stop = [s3rver.stop, dynalite.stop];
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_S3: s3rver.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    P13N_CONNECTORS_BUCKET: BUCKET,
    P13N_CONNECTORS_STATE_TABLE: TABLES.state,
    P13N_CONNECTORS_INDEX_TABLE: TABLES.index,
    P13N_CONNECTORS_BRAZE_QUEUE_URL: BRAZE_QUEUE,
    P13N_CONNECTORS_MAX_CONCURRENCY: '4',
  });
  s3 = s3Client(s3rver.endpoint);
  dynamodb = dynamodbClient(dynalite.endpoint);
  await createConnectorTables(dynamodb, TABLES);
  await uploadSampleJob(s3, BUCKET, SHOPPERS);
  await uploadSampleJob(s3, BUCKET, SIMILAR, false);
});

afterAll(async () => {
  s3?.destroy();
  dynamodb?.destroy();
  for (const s of stop) await s();
});

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

/** Every delivery message enqueued, parsed. */
function enqueued() {
  return sqs.commandCalls(SendMessageBatchCommand).flatMap((call) => {
    expect(call.args[0].input.QueueUrl).toBe(BRAZE_QUEUE);
    expect(call.args[0].input.Entries!.length).toBeLessThanOrEqual(10);
    return call.args[0].input.Entries!.map((e) => deliveryMessageSchema.parse(JSON.parse(e.MessageBody!)));
  });
}

async function keys(prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

function sampleUsers(job: string, file: string): string[] {
  return readFileSync(`${SAMPLES}${job}/${file}`, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .filter((r) => !r.error)
    .map((r) => r.input.userId);
}

describe('connectors state machine (aws-local-stepfunctions, real handlers, s3rver, dynalite)', () => {
  it('passes the asl-validator package, which refuses a broken copy', () => {
    const definition = loadDefinition('connectors.asl.json');
    expect(aslValidator(definition as any).isValid).toBe(true);
    const broken = structuredClone(definition) as any;
    broken.States.ProcessBatchOutput.Next = 'NoSuchState';
    expect(aslValidator(broken).isValid).toBe(false);
  });

  it('names the function ARNs CDK substitutes, and only those', () => {
    const names = [...readDefinitionText('connectors.asl.json').matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    expect(new Set(names)).toEqual(
      new Set([
        'PrepareJobFunctionArn',
        'IndexUserItemMappingFunctionArn',
        'ProcessBatchFunctionArn',
        'CommitBatchFunctionArn',
        'CleanupRunFunctionArn',
      ]),
    );
  });

  it('is rewritten for the local runner only where a Distributed Map reads S3', () => {
    const { readers, definition } = withEmulatedItemReaders(loadDefinition('connectors.asl.json') as any);
    expect(readers).toEqual([
      'IndexUserItemMappingItemReader',
      'ProcessBatchOutputItemReader',
      'CommitAndEnqueueItemReader',
    ]);
    expect(definition.States.ProcessBatchOutput.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
  });

  it('user personalization: every answered user enqueued once in ≤75-user messages, state written; an identical run sends nothing', async () => {
    const result = (await runConnectorsMachine({ jobPath: `s3://${BUCKET}/${SHOPPERS}/` }, s3, HANDLERS)) as any;
    expect(result.status).toBe('ready');
    const messages = enqueued();
    const users = messages.flatMap((m) => m.records.map((r) => r.userId));
    const expected = sampleUsers(SHOPPERS, 'batch-output/users.json.out');
    expect(users.sort()).toEqual([...expected].sort());
    expect(messages.every((m) => m.records.length <= 75 && m.connector === 'braze')).toBe(true);
    const first = messages[0]!.records[0]!.record;
    expect(first).toMatchObject({ external_id: expect.any(String), recs_source: 'p13n-sample' });
    expect((first.recs_name as unknown[]).length).toBe(10);
    expect(await keys(`${SHOPPERS}/output/braze/${result.run.partition}/`)).toHaveLength(1);
    expect(await keys(`${SHOPPERS}/errors/${result.run.partition}/`)).toHaveLength(1);
    expect((await scanAll(dynamodb, TABLES.state)).filter((i) => i.pk.includes('/shoppers/|braze|'))).toHaveLength(
      expected.length,
    );

    // Second run, started by the S3 event of the job's config.json: nothing changed, nothing sent.
    sqs.resetHistory();
    const event = fixture('events/s3-object-created.json');
    event.detail.bucket.name = BUCKET;
    event.detail.object.key = `${SHOPPERS}/config.json`;
    await new Promise((r) => setTimeout(r, 1100)); // a new time= partition
    const again = (await runConnectorsMachine(event, s3, HANDLERS)) as any;
    expect(again.status).toBe('ready');
    expect(enqueued()).toHaveLength(0);
    expect(await keys(`${SHOPPERS}/output/braze/${again.run.partition}/`)).toHaveLength(0);
  });

  it('a finished batch output starts the job that reads it; an object no job reads is ignored', async () => {
    const event = (key: string) => {
      const e = fixture('events/s3-object-created.json');
      e.detail.bucket.name = BUCKET;
      e.detail.object.key = key;
      return e;
    };
    await new Promise((r) => setTimeout(r, 1100));
    const started = (await runConnectorsMachine(event(`${SHOPPERS}/batch-output/_CHECK`), s3, HANDLERS)) as any;
    expect(started).toMatchObject({ status: 'ready', job: { type: 'user_personalization', name: 'shoppers' } });
    const ignored = (await runConnectorsMachine(event('elsewhere/batch/_CHECK'), s3, HANDLERS)) as any;
    expect(ignored).toEqual({ status: 'ignored', reason: `no job reads s3://${BUCKET}/elsewhere/batch/_CHECK` });
  });

  it('related items: the mapping is indexed in DynamoDB and each mapped user gets their item’s related items', async () => {
    await runConnectorsMachine({ jobPath: `s3://${BUCKET}/${SIMILAR}/` }, s3, HANDLERS);
    const mapping = readFileSync(`${SAMPLES}${SIMILAR}/input/user_item_mapping/last-viewed.csv`, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const related = new Map(
      readFileSync(`${SAMPLES}${SIMILAR}/batch-output/items.json.out`, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l))
        .map((r) => [r.input.itemId, r.output.recommendedItems]),
    );
    const records = enqueued().flatMap((m) => m.records);
    expect(records.map((r) => r.userId).sort()).toEqual(mapping.map(([u]) => u).sort());
    for (const [user, item] of mapping) {
      const record = records.find((r) => r.userId === user)!.record;
      expect(record.similar_id).toEqual(related.get(item));
    }
  });

  it('a user twice in the batch output is enqueued once, with their last occurrence (later part file, then later line)', async () => {
    const job = 'etl_jobs/user_personalization/twice';
    const line = (user: string, items: string[]) =>
      JSON.stringify({ input: { userId: user }, output: { recommendedItems: items } });
    const put = (key: string, body: string) =>
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${job}/${key}`, Body: body }));
    await put(
      'config.json',
      JSON.stringify({
        batchInferencePath: 'batch/',
        connectors: { braze: { itemMetadataFields: ['id'], attributePrefix: 'recs_' } },
      }),
    );
    const write = async (a: string[][], b: string[][]) => {
      await put('batch/part-a.json.out', `${a.map(([u, ...items]) => line(u!, items)).join('\n')}\n`);
      await put('batch/part-b.json.out', `${b.map(([u, ...items]) => line(u!, items)).join('\n')}\n`);
    };
    // u1 in both parts (part-b wins), u2 twice in part-a (its second line wins), u3 once.
    await write(
      [
        ['u1', 'a1'],
        ['u2', 'x1'],
        ['u2', 'y1'],
      ],
      [
        ['u3', 'c1'],
        ['u1', 'b1'],
      ],
    );
    const run = async () => {
      sqs.resetHistory();
      await new Promise((r) => setTimeout(r, 1100)); // a new time= partition
      const result = (await runConnectorsMachine({ jobPath: `s3://${BUCKET}/${job}/` }, s3, HANDLERS)) as any;
      expect(result.status).toBe('ready');
      return Object.fromEntries(enqueued().flatMap((m) => m.records.map((r) => [r.userId, r.record.recs_id])));
    };
    const sent = await run();
    expect(sent).toEqual({ u1: ['b1'], u2: ['y1'], u3: ['c1'] });
    expect(enqueued().flatMap((m) => m.records)).toHaveLength(3);
    expect((await scanAll(dynamodb, TABLES.state)).filter((i) => i.pk.includes('/twice/|braze|'))).toHaveLength(3);

    // The same input again: nothing (no occurrence flips the state back and forth between runs).
    expect(await run()).toEqual({});
    // An earlier occurrence changes, the winning one does not: still nothing.
    await write(
      [
        ['u1', 'a2'],
        ['u2', 'x2'],
        ['u2', 'y1'],
      ],
      [
        ['u3', 'c1'],
        ['u1', 'b1'],
      ],
    );
    expect(await run()).toEqual({});
    // The winning occurrence changes: sent, with it.
    await write(
      [
        ['u1', 'a2'],
        ['u2', 'x2'],
        ['u2', 'y2'],
      ],
      [
        ['u3', 'c1'],
        ['u1', 'b2'],
      ],
    );
    expect(await run()).toEqual({ u1: ['b2'], u2: ['y2'] });
  });

  it('a malformed part file fails the run, its output is deleted and the sync state is left as it was', async () => {
    const before = await scanAll(dynamodb, TABLES.state);
    const lines = readFileSync(`${SAMPLES}${SHOPPERS}/batch-output/users.json.out`, 'utf8').split('\n');
    const changed = lines.map((l) => l.replace('"scores":[0.', '"scores":[1.'));
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${SHOPPERS}/batch-output/a-changed.json.out`,
        Body: changed.join('\n'),
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${SHOPPERS}/batch-output/z-broken.json.out`,
        Body: '{"input":{"userId":"x"},\n',
      }),
    );
    await new Promise((r) => setTimeout(r, 1100));
    const failure = (await runConnectorsMachine({ jobPath: `s3://${BUCKET}/${SHOPPERS}/` }, s3, HANDLERS).catch(
      (e: Error) => e,
    )) as Error;
    expect(failure).toMatchObject({ name: 'ExecutionError' });
    expect(JSON.stringify(failure.cause ?? failure.message)).toContain('ConnectorRunFailed');
    expect(enqueued()).toHaveLength(0);
    const outputs = await keys(`${SHOPPERS}/output/braze/`);
    expect(outputs).toHaveLength(1); // only the first successful run's part
    expect(await scanAll(dynamodb, TABLES.state)).toEqual(before);
    const text = await (
      await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: outputs[0]! }))
    ).Body!.transformToString();
    expect(text.split('\n').filter(Boolean)).toHaveLength(sampleUsers(SHOPPERS, 'batch-output/users.json.out').length);
  });
});
