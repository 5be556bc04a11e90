/**
 * The cloud's two connector tables (DynamoDB, on demand), so no worker holds the whole dataset:
 * - sync state: key `pk` = `<job url>|<connector>|<user>`, attribute `sig`: the SyncStateStore;
 * - user index: key `pk` = `<job url>|<user>`, attributes `item` = `<job url>|<item>` (the `byItem`
 *   index's key), `run` and `expiresAt` (TTL). Keyed by user, so a user is mapped to one item (the
 *   last write wins); entries of earlier runs are ignored by their `run` and expire. The run's user
 *   claims (run-claims.ts) live beside them: `pk` = `claim|<run>|<job url>|<user>`, `ord`, `expiresAt`
 *   (no `item`, so not in the `byItem` index).
 * Writes go 25 to a BatchWriteItem, a few in flight; unprocessed items are retried with backoff.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  paginateQuery,
} from '@aws-sdk/lib-dynamodb';
import { backoffDelay, DEFAULT_READ_RETRY, DEFAULT_WRITE_RETRY, type RetryPolicy } from '../shared/retry.ts';
import { ConnectorError } from './errors.ts';
import type { ConnectorName } from './job-config.ts';
import type { RunClaims } from './run-claims.ts';
import type { SyncStateStore } from './sync-state.ts';
import type { UserIndex } from './user-index.ts';
import type { UserItemPair } from './user-item-mapping.ts';

export const USER_INDEX_BY_ITEM = 'byItem';
const BATCH_WRITE = 25;
const BATCH_GET = 100;
/** Index entries outlive their run by a week, then DynamoDB's TTL removes them. */
const INDEX_TTL_SECONDS = 7 * 24 * 3600;

type Request = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

export interface TableOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Calls in flight (default 8). */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
}

/** Runs `task` over `inputs` with at most `limit` running at once. */
export async function inParallel<T>(
  inputs: readonly T[],
  limit: number,
  task: (input: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < inputs.length) await task(inputs[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, inputs.length) }, worker));
}

async function batchWrite(doc: DynamoDBDocumentClient, options: TableOptions, requests: Request[]): Promise<void> {
  const retry = { ...DEFAULT_WRITE_RETRY, ...options.retry };
  const chunks: Request[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_WRITE) chunks.push(requests.slice(i, i + BATCH_WRITE));
  await inParallel(chunks, options.concurrency ?? 8, async (chunk) => {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= retry.maxAttempts) {
        throw new ConnectorError(
          `${options.tableName}: ${pending.length} writes still unprocessed after ${attempt} attempts`,
        );
      }
      if (attempt > 0) await retry.sleep(backoffDelay(attempt - 1, retry));
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [options.tableName]: pending } }));
      pending = (out.UnprocessedItems?.[options.tableName] ?? []) as Request[];
    }
  });
}

async function batchGet(
  doc: DynamoDBDocumentClient,
  options: TableOptions,
  keys: string[],
): Promise<Record<string, unknown>[]> {
  const retry = { ...DEFAULT_READ_RETRY, ...options.retry };
  const unique = [...new Set(keys)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += BATCH_GET) chunks.push(unique.slice(i, i + BATCH_GET));
  const found: Record<string, unknown>[] = [];
  await inParallel(chunks, options.concurrency ?? 8, async (chunk) => {
    let pending: Array<Record<string, unknown>> = chunk.map((pk) => ({ pk }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= retry.maxAttempts) {
        throw new ConnectorError(
          `${options.tableName}: ${pending.length} keys still unprocessed after ${attempt} attempts`,
        );
      }
      if (attempt > 0) await retry.sleep(backoffDelay(attempt - 1, retry));
      const out = await doc.send(new BatchGetCommand({ RequestItems: { [options.tableName]: { Keys: pending } } }));
      found.push(...(out.Responses?.[options.tableName] ?? []));
      pending = (out.UnprocessedKeys?.[options.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
    }
  });
  return found;
}

/**
 * @example
 * const state = dynamodbSyncState({ client, tableName: 'ConnectorsSyncState' }, 's3://conn/etl_jobs/related_items/spring/');
 */
export function dynamodbSyncState(options: TableOptions, jobUrl: string): SyncStateStore {
  const doc = DynamoDBDocumentClient.from(options.client);
  const key = (connector: ConnectorName, user: string) => `${jobUrl}|${connector}|${user}`;
  return {
    async signatures(connector, userIds) {
      const prefix = key(connector, '');
      const items = await batchGet(
        doc,
        options,
        userIds.map((u) => key(connector, u)),
      );
      return new Map(items.map((item) => [String(item.pk).slice(prefix.length), String(item.sig)]));
    },
    async commit(connector, entries) {
      let written = 0;
      for await (const batch of entries) {
        await batchWrite(
          doc,
          options,
          batch.map(([user, sig]) => ({ PutRequest: { Item: { pk: key(connector, user), sig } } })),
        );
        written += batch.length;
      }
      return written;
    },
    async forget(connector, userIds) {
      await batchWrite(
        doc,
        options,
        userIds.map((u) => ({ DeleteRequest: { Key: { pk: key(connector, u) } } })),
      );
    },
    async close() {},
  };
}

/** Writes a run's user-item pairs into the index table. */
export async function writeUserIndex(
  options: TableOptions,
  jobUrl: string,
  run: string,
  pairs: readonly UserItemPair[],
  nowSeconds: number,
): Promise<void> {
  const doc = DynamoDBDocumentClient.from(options.client);
  // A user twice in one BatchWriteItem is refused by DynamoDB: the last pair of the batch wins here too.
  const byUser = new Map(pairs.map((p) => [p.user, p.item]));
  const expiresAt = nowSeconds + INDEX_TTL_SECONDS;
  await batchWrite(
    doc,
    options,
    [...byUser].map(([user, item]) => ({
      PutRequest: { Item: { pk: `${jobUrl}|${user}`, item: `${jobUrl}|${item}`, run, expiresAt } },
    })),
  );
}

/** Reads the index of one run through its `byItem` index. */
export function dynamodbUserIndex(options: TableOptions, jobUrl: string, run: string): UserIndex {
  const doc = DynamoDBDocumentClient.from(options.client);
  const userPrefix = `${jobUrl}|`;
  return {
    async usersOf(itemIds) {
      const out = new Map<string, string[]>();
      await inParallel([...new Set(itemIds)], options.concurrency ?? 8, async (item) => {
        const users: string[] = [];
        const pages = paginateQuery(
          { client: doc },
          {
            TableName: options.tableName,
            IndexName: USER_INDEX_BY_ITEM,
            KeyConditionExpression: '#item = :item',
            FilterExpression: '#run = :run',
            ExpressionAttributeNames: { '#item': 'item', '#run': 'run' },
            ExpressionAttributeValues: { ':item': `${jobUrl}|${item}`, ':run': run },
          },
        );
        for await (const page of pages)
          for (const entry of page.Items ?? []) users.push(String(entry.pk).slice(userPrefix.length));
        if (users.length > 0) out.set(item, users);
      });
      return out;
    },
    async close() {},
  };
}

/**
 * The run's user claims in the user-index table: one conditional PutItem per user (BatchWriteItem
 * takes no conditions), keeping the highest ordinal; DynamoDB compares the ordinals as S3 orders keys.
 *
 * @example
 * const claims = dynamodbRunClaims({ client, tableName: 'ConnectorsUserIndex' }, job.url, run.id, nowSeconds);
 */
export function dynamodbRunClaims(options: TableOptions, jobUrl: string, run: string, nowSeconds: number): RunClaims {
  const doc = DynamoDBDocumentClient.from(options.client);
  const expiresAt = nowSeconds + INDEX_TTL_SECONDS;
  return {
    async claim(entries) {
      const lost = new Set<string>();
      const superseded: Array<[string, string]> = [];
      await inParallel(entries, options.concurrency ?? 16, async ([user, ordinal]) => {
        try {
          const out = await doc.send(
            new PutCommand({
              TableName: options.tableName,
              Item: { pk: `claim|${run}|${jobUrl}|${user}`, ord: ordinal, expiresAt },
              // Equal: a retried part claiming its own occurrence again.
              ConditionExpression: 'attribute_not_exists(pk) OR #ord <= :ord',
              ExpressionAttributeNames: { '#ord': 'ord' },
              ExpressionAttributeValues: { ':ord': ordinal },
              ReturnValues: 'ALL_OLD',
            }),
          );
          const held = out.Attributes?.ord as string | undefined;
          if (held !== undefined && held !== ordinal) superseded.push([user, held]);
        } catch (err) {
          if ((err as Error).name !== 'ConditionalCheckFailedException') throw err;
          lost.add(user);
        }
      });
      return { lost, superseded };
    },
    async close() {},
  };
}
