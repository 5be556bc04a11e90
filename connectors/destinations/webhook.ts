/**
 * A signed HTTPS webhook: users are POSTed as `{"users": [{userId, items: [{id, <fields>}], ...otherAttributes}]}`
 * with `X-P13n-Timestamp` (Unix seconds) and `X-P13n-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`,
 * so the receiver can check the sender and refuse replays older than a few minutes. A 2xx accepts every
 * user of the request; any other 4xx refuses them all with the status and body as the reason.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookConnectorConfig } from '../job-config.ts';
import { recordSignature } from '../record-signature.ts';
import { type HttpPolicy, postWithRetries } from './http.ts';
import { type DestinationSender, fieldsOf, fieldValue, type RecordFormatter } from './types.ts';

export const TIMESTAMP_HEADER = 'x-p13n-timestamp';
export const SIGNATURE_HEADER = 'x-p13n-signature';

export function webhookFormatter(config: WebhookConnectorConfig): RecordFormatter {
  return {
    connector: 'webhook',
    record(userId, list) {
      const fields = fieldsOf(list, config.itemMetadataFields);
      const items = list.ids.map((_, rank) =>
        Object.fromEntries(fields.map((name) => [name, fieldValue(list, rank, name)])),
      );
      const json = JSON.stringify({ userId, items, ...config.otherAttributes });
      return { json, signature: recordSignature(json) };
    },
  };
}

/** The signature header value for a body sent at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does: recompute the signature and compare in constant time, refusing stale timestamps.
 *
 * @example
 * verifyWebhook(secret, req.headers['x-p13n-timestamp'], req.headers['x-p13n-signature'], rawBody, Date.now())
 */
export function verifyWebhook(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  body: string,
  nowMs: number,
  toleranceSeconds = 300,
): boolean {
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || !signature || Math.abs(nowMs / 1000 - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function webhookSender(config: WebhookConnectorConfig, secret: string, http: HttpPolicy): DestinationSender {
  const now = http.now ?? Date.now;
  return {
    connector: 'webhook',
    maxRecordsPerRequest: config.usersPerRequest,
    async send(records) {
      if (records.length === 0) return [];
      const body = JSON.stringify({ users: records.map((r) => r.record) });
      const headers = () => {
        const timestamp = Math.floor(now() / 1000);
        return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body) };
      };
      const answer = await postWithRetries(config.url, body, headers, http);
      if (answer.status < 300) return [];
      const reason = `HTTP ${answer.status}: ${answer.text.slice(0, 200)}`;
      return records.map((record) => ({ record, reason }));
    },
  };
}
