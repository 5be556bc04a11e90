import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deliverMessages } from '../../connectors/deliver-messages.ts';
import { brazeSender } from '../../connectors/destinations/braze.ts';
import type { HttpPolicy } from '../../connectors/destinations/http.ts';
import type { OutputRecord } from '../../connectors/destinations/types.ts';
import { createRateLimiter } from '../../connectors/rate-limiter.ts';
import { runLocalJob } from '../../connectors/run-local.ts';
import { openLocalSyncState } from '../../connectors/sync-state.ts';
import { type FakeBraze, startFakeBraze } from './fake-braze.ts';
import { BRAZE_CONFIG, catalogue, clock, tempRoot, userRecords, writeJob } from './job-fixture.ts';

const KEY = 'braze-test-key-0123456789';
const QUIET = { debug() {}, info() {}, warn() {}, error() {} };
let braze: FakeBraze;
const roots: string[] = [];

/** Faster than the real policy, same logic: the limiter above the fake's limit so 429s happen. */
const policy = (): HttpPolicy => ({
  limiter: createRateLimiter({ limit: 40, windowMs: 1_000 }),
  baseDelayMs: 10,
  maxDelayMs: 100,
  maxAttempts: 8,
});

beforeAll(async () => {
  braze = await startFakeBraze({ apiKey: KEY, maxPerSecond: 12, rejectIds: new Set(['u13']) });
});
afterAll(() => braze.stop());
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('Braze delivery against a strict fake Braze', () => {
  it('delivers every user exactly once with the right attributes through 429s and 5xx; a refused user is kept with the reason and sent again next run', async () => {
    const root = tempRoot();
    roots.push(root);
    const dir = writeJob(root, 'user_personalization', 'weekly', {
      config: {
        ...BRAZE_CONFIG,
        connectors: { braze: { ...BRAZE_CONFIG.connectors.braze, otherAttributes: { recs_batch: 'w48' } } },
      },
      items: catalogue(100),
      batch: userRecords(1500, 100),
    });
    const now = clock();
    const report = await runLocalJob({
      jobDir: dir,
      now,
      senders: { braze: brazeSender({ endpoint: braze.url, apiKey: KEY }, policy()) },
      deliveryConcurrency: 4,
    });
    expect(report.delivery.braze).toMatchObject({ delivered: 1499, rejected: 1 });
    expect(braze.counts.throttled).toBeGreaterThan(0);
    expect(braze.counts.serverErrors).toBeGreaterThan(0);
    expect(braze.counts.tooLarge).toBe(0);
    expect(braze.counts.unauthorized).toBe(0);

    const expected = new Map<string, Record<string, unknown>>(
      readFileSync(report.outputs.braze!, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as OutputRecord)
        .map((r) => [r.userId, r.record]),
    );
    expect(expected.size).toBe(1500);
    for (const [user, record] of expected) {
      if (user === 'u13') continue;
      expect(braze.received.get(user), user).toEqual([record]);
    }
    expect(expected.get('u7')).toMatchObject({ external_id: 'u7', recs_batch: 'w48', recs_id: expect.any(Array) });
    expect(braze.received.has('u13')).toBe(false);
    const rejected = readFileSync(report.delivery.braze!.rejectedFile!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejected).toEqual([{ userId: 'u13', reason: "'external_id' is not valid", record: expected.get('u13') }]);

    // Nothing changed, but the refused user was dropped from the state: only u13 goes again.
    const again = await runLocalJob({ jobDir: dir, now });
    expect(again.stats.sent).toEqual({ braze: 1 });
  });

  it('a wrong key sends nobody and keeps every user for the next run', async () => {
    const root = tempRoot();
    roots.push(root);
    const dir = writeJob(root, 'user_personalization', 'weekly', { config: BRAZE_CONFIG, batch: userRecords(100, 10) });
    const now = clock();
    const report = await runLocalJob({
      jobDir: dir,
      now,
      senders: { braze: brazeSender({ endpoint: braze.url, apiKey: 'wrong' }, policy()) },
    });
    expect(report.delivery.braze).toMatchObject({ delivered: 0, rejected: 100 });
    expect(readFileSync(report.delivery.braze!.rejectedFile!, 'utf8')).toContain(
      'Braze refused the API key (HTTP 401)',
    );
    expect((await runLocalJob({ jobDir: dir, now })).stats.sent).toEqual({ braze: 100 });
  });

  it('splits more than 75 users into requests Braze accepts', async () => {
    const records = Array.from({ length: 160 }, (_, i) => ({
      userId: `big-${i}`,
      signature: 'x',
      record: { external_id: `big-${i}`, recs_id: ['a'] },
    }));
    const before = braze.counts.tooLarge;
    const rejected = await brazeSender({ endpoint: braze.url, apiKey: KEY }, policy()).send(records);
    expect(rejected).toEqual([]);
    expect(braze.counts.tooLarge).toBe(before);
    for (const r of records) expect(braze.received.get(r.userId)).toEqual([r.record]);
  });
});

describe('delivery Lambda core (SQS messages → Braze, refusals → DLQ)', () => {
  const sqs = mockClient(SQSClient);
  const message = (id: string, body: unknown) => ({
    messageId: id,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const records = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      userId: `${prefix}${i}`,
      signature: 's',
      record: { external_id: `${prefix}${i}`, recs_id: ['i1'] },
    }));

  it('delivers, dead-letters refused users with the reason (and forgets them), reports unavailable messages as batch item failures', async () => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({});
    const dir = mkdtempSync(join(tmpdir(), 'p13n-deliver-'));
    roots.push(dir);
    const state = openLocalSyncState((c) => join(dir, `${c}.mdb`));
    await state.commit(
      'braze',
      (async function* () {
        yield [
          ['m13', 'old'],
          ['m14', 'old'],
        ] as Array<[string, string]>;
      })(),
    );
    const down = await startFakeBraze({ apiKey: KEY, maxPerSecond: 100, failureRate: 1 });
    try {
      const event = {
        Records: [
          message('good', {
            connector: 'braze',
            stateKey: 'job',
            records: records('m', 75).map((r) =>
              r.userId === 'm13' ? { ...r, userId: 'm13', record: { external_id: 'u13' } } : r,
            ),
          }),
          message('broken', 'not json'),
          message('down', { connector: 'braze', stateKey: 'job', records: records('d', 3) }),
        ],
      } as unknown as SQSEvent;
      const result = await deliverMessages(event, {
        sender: async (m) =>
          brazeSender(
            { endpoint: m.records[0]!.userId.startsWith('d') ? down.url : braze.url, apiKey: KEY },
            { ...policy(), maxAttempts: 3 },
          ),
        state: () => state,
        sqs: new SQSClient({}),
        deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq',
        logger: QUIET,
      });
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'down' }] });
      const dead = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
      expect(dead).toHaveLength(2);
      const refused = dead.find((d) => d.MessageBody!.includes('m13'))!;
      expect(refused.MessageAttributes!.reason!.StringValue).toBe("'external_id' is not valid");
      expect(JSON.parse(refused.MessageBody!)).toMatchObject({
        connector: 'braze',
        userId: 'm13',
        record: { external_id: 'u13' },
      });
      expect(dead.find((d) => d.MessageBody!.includes('not json'))!.MessageAttributes!.reason!.StringValue).toMatch(
        /malformed delivery message/,
      );
      expect(await state.signatures('braze', ['m13', 'm14'])).toEqual(new Map([['m14', 'old']]));
      for (let i = 0; i < 75; i++) if (i !== 13) expect(braze.received.get(`m${i}`)).toHaveLength(1);
    } finally {
      await down.stop();
      await state.close();
    }
    expect(existsSync(dir)).toBe(true);
  });
});
