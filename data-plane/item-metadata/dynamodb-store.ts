/**
 * Item metadata read from a DynamoDB table per namespace (`PersonalizationApiItemMetadata_{namespace}`
 * unless the configuration says otherwise). Each item keeps what the import wrote under `attributes`.
 * One call to getMany becomes BatchGetItem calls of at most 100 unique keys, sent in parallel; keys
 * DynamoDB leaves unprocessed are asked again with capped exponential backoff.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ATTRIBUTES_ATTRIBUTE } from '../../contracts/item-metadata/dynamodb-layout.ts';
import { createDynamodbWriter } from '../../contracts/item-metadata/dynamodb-writer.ts';
import type { ItemMetadata } from '../../contracts/item-metadata/item.ts';
import type { ItemMetadataConfig } from '../../schema/config-schema.ts';
import { DEFAULT_TABLE_KEY, dynamodbTableName } from '../../schema/resolve-config.ts';
import { isThrottled } from '../../shared/aws-errors.ts';
import { backoffDelay, DEFAULT_READ_RETRY, type RetryPolicy } from '../../shared/retry.ts';
import { OriginFailedError, OriginThrottledError } from '../errors.ts';
import type { ItemMetadataStore, StoredItem } from './types.ts';

export type DynamodbMetadataConfig = Extract<ItemMetadataConfig, { type: 'dynamodb' }>;

/** BatchGetItem's limit on keys per call. */
export const BATCH_GET_LIMIT = 100;

export interface DynamodbStoreOptions {
  client: DynamoDBClient;
  namespace: string;
  config: DynamodbMetadataConfig;
  retry?: Partial<RetryPolicy>;
}

type Key = Record<string, string>;

export class DynamodbItemMetadataStore implements ItemMetadataStore {
  readonly tableName: string;
  readonly #keyName: string;
  readonly #doc: DynamoDBDocumentClient;
  readonly #retry: RetryPolicy;
  readonly #client: DynamoDBClient;

  constructor(options: DynamodbStoreOptions) {
    this.#client = options.client;
    this.tableName = dynamodbTableName(options.namespace, options.config);
    this.#keyName = options.config.keyName ?? DEFAULT_TABLE_KEY;
    this.#doc = DynamoDBDocumentClient.from(options.client);
    this.#retry = { ...DEFAULT_READ_RETRY, ...options.retry };
  }

  /**
   * @example
   * const store = new DynamodbItemMetadataStore({ client, namespace: 'shop', config: { type: 'dynamodb' } });
   * const found = await store.getMany(['a', 'b', 'a']); // Map { 'a' => {...}, 'b' => {...} }
   */
  async getMany(ids: readonly string[], signal?: AbortSignal): Promise<Map<string, ItemMetadata>> {
    const unique = [...new Set(ids)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) chunks.push(unique.slice(i, i + BATCH_GET_LIMIT));
    const found = new Map<string, ItemMetadata>();
    await Promise.all(chunks.map((chunk) => this.#getChunk(chunk, found, signal)));
    return found;
  }

  /**
   * Writes items in the import's layout, versioned now: an import started later purges them unless its
   * file holds them too, exactly as it purges what an earlier import wrote.
   */
  async putMany(items: readonly StoredItem[]): Promise<void> {
    const writer = createDynamodbWriter(
      { client: this.#client, tableName: this.tableName, keyName: this.#keyName },
      Date.now(),
    );
    await writer.add(items.map((item, i) => ({ line: i + 1, ...item })));
    const refused = await writer.finish();
    if (refused.length > 0) throw new Error(`DynamoDB refused item ${refused[0]!.line}: ${refused[0]!.reason}`);
  }

  async #getChunk(ids: string[], found: Map<string, ItemMetadata>, signal?: AbortSignal): Promise<void> {
    let keys: Key[] = ids.map((id) => ({ [this.#keyName]: id }));
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await this.#retry.sleep(backoffDelay(attempt - 1, this.#retry));
      signal?.throwIfAborted();
      const output = await this.#send(keys, signal);
      for (const item of output.Responses?.[this.tableName] ?? []) {
        const id = item[this.#keyName];
        const attributes = item[ATTRIBUTES_ATTRIBUTE];
        if (id === undefined) continue;
        found.set(String(id), isRecord(attributes) ? attributes : {});
      }
      keys = (output.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Key[];
      if (keys.length === 0) return;
      if (attempt + 1 >= this.#retry.maxAttempts) {
        throw new OriginThrottledError(`DynamoDB table ${this.tableName}`, {
          cause: new Error(`${keys.length} keys still unprocessed after ${this.#retry.maxAttempts} attempts`),
        });
      }
    }
  }

  async #send(keys: Key[], signal?: AbortSignal) {
    try {
      return await this.#doc.send(
        new BatchGetCommand({
          RequestItems: {
            [this.tableName]: {
              Keys: keys,
              ProjectionExpression: '#k, #a',
              ExpressionAttributeNames: { '#k': this.#keyName, '#a': ATTRIBUTES_ATTRIBUTE },
            },
          },
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      if (signal?.aborted) throw err;
      if (isThrottled(err)) throw new OriginThrottledError(`DynamoDB table ${this.tableName}`, { cause: err });
      throw new OriginFailedError(`DynamoDB table ${this.tableName}`, (err as Error).message, { cause: err });
    }
  }
}

function isRecord(value: unknown): value is ItemMetadata {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
