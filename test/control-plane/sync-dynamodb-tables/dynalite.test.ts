import { DescribeTableCommand, DynamoDBClient, ListTagsOfResourceCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncDynamoDbTables } from '../../../control-plane/sync-dynamodb-tables/sync-tables.ts';
import { startDynalite } from '../../helpers/dynalite.ts';
import { namespace, resolved } from '../helpers/configs.ts';
import { recordingLogger } from '../helpers/recording-logger.ts';

let db: Awaited<ReturnType<typeof startDynalite>>;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  db = await startDynalite();
  dynamodb = new DynamoDBClient({ endpoint: db.endpoint });
});
afterAll(async () => {
  dynamodb.destroy();
  await db.stop();
});

/** Calls the sync the way the state machine does: again after each ResourcePending. */
async function syncUntilReady(config: ReturnType<typeof resolved>) {
  let pending = 0;
  for (;;) {
    try {
      return { result: await syncDynamoDbTables(config, { dynamodb, logger: recordingLogger() }), pending };
    } catch (err) {
      if ((err as Error).name !== 'ResourcePending' || pending > 50) throw err;
      pending++;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('syncDynamoDbTables against dynalite', () => {
  it('creates the tables, waits for them, then updates capacity and tags of an existing one', async () => {
    const first = resolved({
      namespaces: {
        shop: namespace({ inferenceItemMetadata: { type: 'dynamodb', tags: { team: 'retail' } } }),
        blog: namespace({
          inferenceItemMetadata: {
            type: 'dynamodb',
            keyName: 'slug',
            billingMode: 'PROVISIONED',
            provisionedThroughput: { readCapacityUnits: 3, writeCapacityUnits: 1 },
          },
        }),
      },
    });
    const created = await syncUntilReady(first);
    expect(created.pending).toBeGreaterThan(0);
    expect(created.result.tables.map((t) => t.tableName).sort()).toEqual([
      'PersonalizationApiItemMetadata_blog',
      'PersonalizationApiItemMetadata_shop',
    ]);
    const blog = (await dynamodb.send(new DescribeTableCommand({ TableName: 'PersonalizationApiItemMetadata_blog' })))
      .Table!;
    expect(blog.KeySchema).toEqual([{ AttributeName: 'slug', KeyType: 'HASH' }]);
    expect(blog.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 3, WriteCapacityUnits: 1 });

    const again = await syncUntilReady(first);
    expect(again.pending).toBe(0);
    expect(again.result.tables.every((t) => t.outcome === 'unchanged')).toBe(true);

    const second = resolved({
      namespaces: {
        shop: namespace({ inferenceItemMetadata: { type: 'dynamodb', tags: { team: 'retail', env: 'prod' } } }),
        blog: namespace({
          inferenceItemMetadata: {
            type: 'dynamodb',
            keyName: 'slug',
            billingMode: 'PROVISIONED',
            provisionedThroughput: { readCapacityUnits: 6, writeCapacityUnits: 2 },
          },
        }),
      },
    });
    const updated = await syncUntilReady(second);
    expect(updated.pending).toBeGreaterThan(0);
    const blogAfter = (
      await dynamodb.send(new DescribeTableCommand({ TableName: 'PersonalizationApiItemMetadata_blog' }))
    ).Table!;
    expect(blogAfter.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 6, WriteCapacityUnits: 2 });
    const shopArn = (
      await dynamodb.send(new DescribeTableCommand({ TableName: 'PersonalizationApiItemMetadata_shop' }))
    ).Table!.TableArn!;
    const tags = (await dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: shopArn }))).Tags;
    expect(tags).toEqual(
      expect.arrayContaining([
        { Key: 'env', Value: 'prod' },
        { Key: 'team', Value: 'retail' },
      ]),
    );
  });
});
