/**
 * The delivery ledger in DynamoDB (`P13N_EVENT_IDEMPOTENCY_TABLE`), shared by every Lambda instance.
 * One item per (namespace, target, record key): `id` (a SHA-256 hash, 43 characters), `status`
 * (`claimed` or `taken`), `owner` (the claiming delivery) and `expiresAt` (epoch seconds, the table's
 * TTL attribute). A claim is a conditional put that succeeds only when no live item holds the id —
 * absent, or past `expiresAt`, since TTL deletes items only eventually — so two instances never both
 * deliver a record. A failed claim reads the item (returned with the failed condition, or read
 * consistently) to tell a taken record from one being delivered now. Commits are unconditional puts
 * (the target took the record, whoever claimed it); releases delete only this delivery's own claims.
 */
import { randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type ClaimResult,
  type DeliveryLedger,
  type LedgerScope,
  type LedgerTiming,
  ledgerId,
} from './delivery-ledger.ts';

const STATUS = { '#s': 'status' } as const;

/**
 * @example
 * const ledger = dynamodbLedger({ client: () => clients.dynamodb(), tableName, ttlSeconds: 3600, claimMs: 30_000, clock: Date.now });
 */
export function dynamodbLedger(
  options: LedgerTiming & { client: () => DynamoDBClient; tableName: string },
): DeliveryLedger {
  const { tableName } = options;
  const seconds = (ms: number) => Math.ceil(ms / 1000);

  const claimOne = async (id: string, owner: string, signal?: AbortSignal): Promise<'claimed' | 'taken' | 'busy'> => {
    const now = options.clock();
    try {
      await options.client().send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            id: { S: id },
            status: { S: 'claimed' },
            owner: { S: owner },
            expiresAt: { N: String(seconds(now + options.claimMs)) },
          },
          ConditionExpression: 'attribute_not_exists(id) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': { N: String(Math.floor(now / 1000)) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
        { abortSignal: signal },
      );
      return 'claimed';
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const item =
        err.Item ??
        (
          await options
            .client()
            .send(new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }), {
              abortSignal: signal,
            })
        ).Item;
      // Gone between the put and the read (released or expired): another request just let go; report busy.
      return item?.status?.S === 'taken' ? 'taken' : 'busy';
    }
  };

  const release = async (
    scope: LedgerScope,
    owner: string,
    ids: ReadonlyMap<string, string>,
    released: Iterable<string>,
    signal?: AbortSignal,
  ) => {
    await Promise.all(
      [...released].map(async (key) => {
        try {
          await options.client().send(
            new DeleteItemCommand({
              TableName: tableName,
              Key: { id: { S: ids.get(key) ?? ledgerId(scope, key) } },
              ConditionExpression: '#s = :claimed AND #o = :owner',
              ExpressionAttributeNames: { ...STATUS, '#o': 'owner' },
              ExpressionAttributeValues: { ':claimed': { S: 'claimed' }, ':owner': { S: owner } },
            }),
            { abortSignal: signal },
          );
        } catch (err) {
          // Someone else's now (our lease ran out and another delivery claimed it): not ours to delete.
          if (!(err instanceof ConditionalCheckFailedException)) throw err;
        }
      }),
    );
  };

  return {
    async claim(scope, keys, signal) {
      const owner = randomUUID();
      const ids = new Map(keys.map((key) => [key, ledgerId(scope, key)]));
      const result: ClaimResult = { claimed: new Set(), taken: new Set(), busy: new Set() };
      const states = await Promise.allSettled(
        [...ids].map(async ([key, id]) => [key, await claimOne(id, owner, signal)] as const),
      );
      for (const state of states) if (state.status === 'fulfilled') result[state.value[1]].add(state.value[0]);
      const failed = states.find((s) => s.status === 'rejected');
      if (failed) {
        // Let go of what was claimed, so the delivery that follows without the ledger leaves nothing held;
        // a failure here is the same outage, which the caller logs with the claim's error.
        await release(scope, owner, ids, result.claimed, AbortSignal.timeout(2000)).catch(() => undefined);
        throw failed.reason;
      }
      return {
        ...result,
        async commit(committed, commitSignal) {
          const expiresAt = String(seconds(options.clock() + options.ttlSeconds * 1000));
          await Promise.all(
            [...committed].map((key) =>
              options.client().send(
                new PutItemCommand({
                  TableName: tableName,
                  Item: {
                    id: { S: ids.get(key) ?? ledgerId(scope, key) },
                    status: { S: 'taken' },
                    owner: { S: owner },
                    expiresAt: { N: expiresAt },
                  },
                }),
                { abortSignal: commitSignal },
              ),
            ),
          );
        },
        release: (released, releaseSignal) => release(scope, owner, ids, released, releaseSignal),
      };
    },
  };
}
