import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resetDelay } from '../../connectors/destinations/http.ts';
import {
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhook,
  webhookSender,
} from '../../connectors/destinations/webhook.ts';
import { webhookConnectorSchema } from '../../connectors/job-config.ts';
import { createRateLimiter } from '../../connectors/rate-limiter.ts';
import { runLocalJob } from '../../connectors/run-local.ts';
import { catalogue, clock, tempRoot, userRecords, writeJob } from './job-fixture.ts';

const SECRET = 'webhook-signing-secret-42';
const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

/** A receiver that checks every signature and answers 401 to a bad one, 429 to every fifth request. */
async function startReceiver() {
  const users: Array<Record<string, any>> = [];
  let requests = 0;
  let badSignatures = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests++;
      const ok = verifyWebhook(
        SECRET,
        req.headers[TIMESTAMP_HEADER] as string,
        req.headers[SIGNATURE_HEADER] as string,
        body,
        Date.now(),
      );
      if (!ok) {
        badSignatures++;
        res.writeHead(401).end('bad signature');
      } else if (requests % 5 === 0) res.writeHead(429, { 'retry-after': '0' }).end();
      else {
        users.push(...JSON.parse(body).users);
        res.writeHead(204).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/recs`;
  return {
    url,
    users,
    counts: () => ({ requests, badSignatures }),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('signed webhook destination', () => {
  it('delivers every user once, each request signed over timestamp and body, retrying a 429', async () => {
    const receiver = await startReceiver();
    try {
      const root = tempRoot();
      roots.push(root);
      const config = {
        batchInferencePath: 'batch/',
        connectors: {
          webhook: {
            url: receiver.url,
            usersPerRequest: 40,
            itemMetadataFields: ['id', 'price'],
            otherAttributes: { list: 'weekly' },
          },
        },
      };
      const dir = writeJob(root, 'user_personalization', 'w', {
        config,
        items: catalogue(20),
        batch: userRecords(200, 20),
      });
      const parsed = webhookConnectorSchema.parse(config.connectors.webhook);
      const report = await runLocalJob({
        jobDir: dir,
        now: clock(),
        senders: {
          webhook: webhookSender(parsed, SECRET, {
            limiter: createRateLimiter({ limit: 100, windowMs: 1000 }),
            baseDelayMs: 5,
          }),
        },
      });
      expect(report.delivery.webhook).toMatchObject({ delivered: 200, rejected: 0 });
      expect(receiver.users.map((u) => u.userId).sort()).toEqual(
        userRecords(200, 20)
          .map((u) => u.input.userId)
          .sort(),
      );
      expect(receiver.users.find((u) => u.userId === 'u0')).toEqual({
        userId: 'u0',
        list: 'weekly',
        items: [
          { id: 'i0', price: 10 },
          { id: 'i3', price: 13 },
          { id: 'i6', price: 16 },
          { id: 'i9', price: 19 },
          { id: 'i12', price: 22 },
        ],
      });
      expect(receiver.counts().badSignatures).toBe(0);
      expect(receiver.counts().requests).toBeGreaterThan(5);
    } finally {
      await receiver.stop();
    }
  });

  it('refuses a wrong secret, a changed body and a stale timestamp', () => {
    const body = '{"users":[]}';
    const ts = 1_800_000_000;
    const sig = signWebhook(SECRET, ts, body);
    expect(sig).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(SECRET, String(ts), sig, body, ts * 1000)).toBe(true);
    expect(verifyWebhook('another-secret-value', String(ts), sig, body, ts * 1000)).toBe(false);
    expect(verifyWebhook(SECRET, String(ts), sig, '{"users":[1]}', ts * 1000)).toBe(false);
    expect(verifyWebhook(SECRET, String(ts), sig, body, (ts + 301) * 1000)).toBe(false);
  });

  it('a 4xx answer refuses the request’s users with the status as the reason', async () => {
    const server = createServer((_req, res) => res.writeHead(422).end('unknown list'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const sender = webhookSender(webhookConnectorSchema.parse({ url }), SECRET, {
        limiter: createRateLimiter({ limit: 10, windowMs: 1000 }),
      });
      const record = { userId: 'u', signature: 's', record: { userId: 'u' } };
      expect(await sender.send([record])).toEqual([{ record, reason: 'HTTP 422: unknown list' }]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('accepts https, and http only on loopback', () => {
    expect(webhookConnectorSchema.safeParse({ url: 'https://hooks.example.com/x' }).success).toBe(true);
    expect(webhookConnectorSchema.safeParse({ url: 'http://hooks.example.com/x' }).success).toBe(false);
  });
});

describe('rate limiter and reset headers', () => {
  it('starts at most `limit` requests per window and honours a pause', async () => {
    let now = 0;
    const starts: number[] = [];
    const limiter = createRateLimiter({
      limit: 3,
      windowMs: 1000,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    for (let i = 0; i < 7; i++) {
      await limiter.acquire();
      starts.push(now);
    }
    expect(starts).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
    limiter.pauseUntil(5000);
    await limiter.acquire();
    expect(now).toBe(5000);
  });

  it('reads X-RateLimit-Reset (epoch seconds) first, then Retry-After', () => {
    const now = 1_700_000_000_000;
    expect(resetDelay(new Headers({ 'x-ratelimit-reset': String(1_700_000_002) }), now)).toBe(2000);
    expect(resetDelay(new Headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(resetDelay(new Headers(), now)).toBeUndefined();
  });
});
