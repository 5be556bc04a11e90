/**
 * The delivery Lambda entry itself (connectors/handlers/deliver.ts), as Lambda runs it: environment
 * read at cold start, the destination secret from Secrets Manager (mocked: no emulator) cached for
 * five minutes, the sync state in dynalite, refusals to the dead-letter queue (SQS mocked), a fake
 * Braze on 127.0.0.1, and SQS partial batch responses.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dynamodbSyncState } from '../../connectors/dynamodb-tables.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { type FakeBraze, startFakeBraze } from './fake-braze.ts';

const KEY = 'braze-secret-key-do-not-log-4711';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:connectors-braze-AbCdEf';
const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/connectors-braze-dlq';
const TABLE = 'ConnectorsSyncState';
const JOB = 's3://conn/etl_jobs/user_personalization/weekly/';

const secrets = mockClient(SecretsManagerClient);
const sqs = mockClient(SQSClient);
let braze: FakeBraze;
let stopDynalite: () => Promise<void>;
let dynamodb: DynamoDBClient;
const logged: string[] = [];

beforeAll(async () => {
  const db = await startDynalite();
  stopDynalite = db.stop;
  dynamodb = new DynamoDBClient({ endpoint: db.endpoint });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  braze = await startFakeBraze({
    apiKey: KEY,
    maxPerSecond: 1_000,
    failureRate: 0,
    rejectIds: new Set(['bad-1']),
    unavailableIds: new Set(['down-0']),
  });
  Object.assign(process.env, {
    P13N_CONNECTORS_STATE_TABLE: TABLE,
    P13N_CONNECTORS_DLQ_URL: DLQ,
    P13N_CONNECTORS_SECRET_ARN: SECRET_ARN,
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
  });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ apiKey: KEY, endpoint: braze.url }) });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dead' });
  // Every line any logger writes, wherever it writes it.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
      logged.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof stream.write);
  }
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await braze.stop();
  await stopDynalite();
});

const records = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    userId: `${prefix}-${i}`,
    signature: `sig-${prefix}-${i}`,
    record: { external_id: `${prefix}-${i}`, recs_id: ['i1', 'i2'] },
  }));

const event = (messages: Record<string, unknown>): SQSEvent =>
  ({
    Records: Object.entries(messages).map(([messageId, body]) => ({ messageId, body: JSON.stringify(body) })),
  }) as unknown as SQSEvent;

describe('the delivery Lambda entry', () => {
  it('delivers, dead-letters refusals, reports the failed message in batchItemFailures, reads the secret once per five minutes and never logs the key', async () => {
    const state = dynamodbSyncState({ client: dynamodb, tableName: TABLE }, JOB);
    await state.commit(
      'braze',
      (async function* () {
        yield [
          ['bad-1', 'old'],
          ['good-0', 'old'],
        ] as Array<[string, string]>;
      })(),
    );
    const { handler } = await import('../../connectors/handlers/deliver.ts');

    const first = await handler(
      event({
        good: { connector: 'braze', stateKey: JOB, records: records('good', 75) },
        mixed: { connector: 'braze', stateKey: JOB, records: records('bad', 3) },
        down: { connector: 'braze', stateKey: JOB, records: records('down', 2) },
      }),
    );
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'down' }] });
    for (let i = 0; i < 75; i++) expect(braze.received.get(`good-${i}`)).toHaveLength(1);
    expect(braze.received.get('bad-0')).toHaveLength(1);
    expect(braze.received.has('bad-1')).toBe(false);
    expect(braze.received.has('down-0')).toBe(false);
    const dead = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      QueueUrl: DLQ,
      MessageAttributes: { reason: { StringValue: "'external_id' is not valid" } },
    });
    expect(JSON.parse(dead[0]!.MessageBody!)).toMatchObject({ connector: 'braze', stateKey: JOB, userId: 'bad-1' });
    // The refused user is forgotten, so the next run sends them again; the others keep their state.
    expect(await state.signatures('braze', ['bad-1', 'good-0'])).toEqual(new Map([['good-0', 'old']]));

    // A warm container within five minutes: the cached secret, no second call.
    const second = await handler(event({ again: { connector: 'braze', stateKey: JOB, records: records('again', 2) } }));
    expect(second).toEqual({ batchItemFailures: [] });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(secrets.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: SECRET_ARN });

    // Past five minutes the secret is read again (a rotated key is picked up without a deploy).
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 5 * 60_000 + 1 });
    try {
      expect(
        await handler(event({ later: { connector: 'braze', stateKey: JOB, records: records('later', 1) } })),
      ).toEqual({ batchItemFailures: [] });
    } finally {
      vi.useRealTimers();
    }
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(braze.received.get('later-0')).toHaveLength(1);

    // The entry logged what it did (so the check below means something), and never the key.
    const text = logged.join('\n');
    expect(text).toContain('delivered');
    expect(text).toContain('delivery failed');
    expect(text).not.toContain(KEY);
    for (const message of dead) expect(JSON.stringify(message)).not.toContain(KEY);
  });
});
