/**
 * Bulk writes to an item-metadata table: BatchWriteItem with 25 requests per call, a few calls in
 * flight, items DynamoDB leaves unprocessed retried with capped exponential backoff. Every item is
 * stamped with the import's version so that `purgeOlderVersions` can afterwards delete whatever an
 * earlier import wrote and this one did not.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { backoffDelay, DEFAULT_WRITE_RETRY, type RetryPolicy } from '../../shared/retry.ts';
import { ATTRIBUTES_ATTRIBUTE, VERSION_ATTRIBUTE } from './dynamodb-layout.ts';
import type { InvalidLine, ValidItem } from './json-lines.ts';

/** BatchWriteItem's limit on requests per call. */
export const BATCH_WRITE_LIMIT = 25;

export interface DynamodbTarget {
  client: DynamoDBClient;
  tableName: string;
  keyName: string;
  /** Calls in flight at once (default 4). */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
}

type WriteRequest =
  | { PutRequest: { Item: Record<string, unknown> } }
  | { DeleteRequest: { Key: Record<string, unknown> } };

/** Runs batches with bounded parallelism; the first failure is rethrown by the next call. */
class BatchSender {
  readonly #doc: DynamoDBDocumentClient;
  readonly #target: DynamodbTarget;
  readonly #retry: RetryPolicy;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #inFlightIds = new Set<string>();
  #failure: unknown;

  constructor(target: DynamodbTarget) {
    this.#target = target;
    this.#doc = DynamoDBDocumentClient.from(target.client);
    this.#retry = { ...DEFAULT_WRITE_RETRY, ...target.retry };
  }

  get doc(): DynamoDBDocumentClient {
    return this.#doc;
  }

  /**
   * Sends one batch once a slot is free. A batch touching an ID still being written waits for the
   * writes in flight, so a later line always wins over an earlier one.
   */
  async send(ids: string[], requests: WriteRequest[], onValidationError?: () => Promise<void>): Promise<void> {
    this.#throwIfFailed();
    if (ids.some((id) => this.#inFlightIds.has(id))) await this.drain();
    while (this.#inFlight.size >= (this.#target.concurrency ?? 4)) await Promise.race(this.#inFlight);
    this.#throwIfFailed();
    for (const id of ids) this.#inFlightIds.add(id);
    const task: Promise<void> = this.#write(requests, onValidationError)
      .catch((err: unknown) => {
        this.#failure ??= err;
      })
      .finally(() => {
        this.#inFlight.delete(task);
        for (const id of ids) this.#inFlightIds.delete(id);
      });
    this.#inFlight.add(task);
  }

  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
    this.#throwIfFailed();
  }

  #throwIfFailed() {
    if (this.#failure !== undefined) throw this.#failure;
  }

  async #write(requests: WriteRequest[], onValidationError?: () => Promise<void>): Promise<void> {
    const table = this.#target.tableName;
    let pending = requests;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= this.#retry.maxAttempts) {
        throw new Error(
          `DynamoDB left ${pending.length} writes to ${table} unprocessed after ${this.#retry.maxAttempts} attempts`,
        );
      }
      if (attempt > 0) await this.#retry.sleep(backoffDelay(attempt - 1, this.#retry));
      try {
        const output = await this.#doc.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (output.UnprocessedItems?.[table] ?? []) as WriteRequest[];
      } catch (err) {
        if (onValidationError && (err as Error).name === 'ValidationException') return onValidationError();
        throw err;
      }
    }
  }
}

export interface DynamodbWriter {
  add(items: readonly ValidItem[]): Promise<void>;
  /** Waits for every write; returns the lines DynamoDB refused (e.g. an item over 400 KB). */
  finish(): Promise<InvalidLine[]>;
}

/**
 * @example
 * const writer = createDynamodbWriter({ client, tableName: 'PersonalizationApiItemMetadata_shop', keyName: 'id' }, 1700000000000);
 * await writer.add(batch.items);
 * const refused = await writer.finish();
 */
export function createDynamodbWriter(target: DynamodbTarget, version: number): DynamodbWriter {
  const sender = new BatchSender(target);
  const refused: InvalidLine[] = [];
  let group = new Map<string, ValidItem>();
  const toItem = (item: ValidItem) => ({
    [target.keyName]: item.id,
    [ATTRIBUTES_ATTRIBUTE]: item.metadata,
    [VERSION_ATTRIBUTE]: version,
  });

  // When DynamoDB rejects a whole batch as invalid, write its items one by one to find the culprits.
  const oneByOne = (items: ValidItem[]) => async () => {
    for (const item of items) {
      try {
        await sender.doc.send(new PutCommand({ TableName: target.tableName, Item: toItem(item) }));
      } catch (err) {
        if ((err as Error).name !== 'ValidationException') throw err;
        refused.push({ line: item.line, reason: `DynamoDB refused the item: ${(err as Error).message}` });
      }
    }
  };

  const flush = async () => {
    const items = [...group.values()];
    group = new Map();
    await sender.send(
      items.map((i) => i.id),
      items.map((item) => ({ PutRequest: { Item: toItem(item) } })),
      oneByOne(items),
    );
  };

  return {
    async add(items) {
      for (const item of items) {
        // BatchWriteItem refuses two requests for one key in a call; the later line replaces the earlier.
        group.delete(item.id);
        group.set(item.id, item);
        if (group.size >= BATCH_WRITE_LIMIT) await flush();
      }
    },
    async finish() {
      if (group.size > 0) await flush();
      await sender.drain();
      return refused.sort((a, b) => a.line - b.line);
    },
  };
}

/**
 * Deletes every item whose version is older than `version` (or that has none), scanning only the key
 * and version attributes. Returns how many items were deleted.
 *
 * @example
 * const purged = await purgeOlderVersions({ client, tableName, keyName: 'id' }, 1700000000000);
 */
export async function purgeOlderVersions(target: DynamodbTarget, version: number): Promise<number> {
  const sender = new BatchSender(target);
  let purged = 0;
  const pages = paginateScan(
    { client: sender.doc },
    {
      TableName: target.tableName,
      ProjectionExpression: '#k',
      FilterExpression: 'attribute_not_exists(#v) OR #v < :v',
      ExpressionAttributeNames: { '#k': target.keyName, '#v': VERSION_ATTRIBUTE },
      ExpressionAttributeValues: { ':v': version },
    },
  );
  for await (const page of pages) {
    const keys = (page.Items ?? []).map((item) => item[target.keyName] as string);
    for (let i = 0; i < keys.length; i += BATCH_WRITE_LIMIT) {
      const chunk = keys.slice(i, i + BATCH_WRITE_LIMIT);
      await sender.send(
        chunk,
        chunk.map((key) => ({ DeleteRequest: { Key: { [target.keyName]: key } } })),
      );
      purged += chunk.length;
    }
  }
  await sender.drain();
  return purged;
}
