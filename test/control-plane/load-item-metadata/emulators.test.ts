import { gzipSync } from 'node:zlib';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importItems } from '../../../contracts/item-metadata/import-items.ts';
import { loadItemMetadata } from '../../../control-plane/load-item-metadata/load-item-metadata.ts';
import { syncDynamoDbTables } from '../../../control-plane/sync-dynamodb-tables/sync-tables.ts';
import { objectCreatedEventSchema } from '../../../state-machines/load-item-metadata-payload.ts';
import { startDynalite } from '../../helpers/dynalite.ts';
import { startS3rver } from '../../helpers/s3rver.ts';
import { namespace, resolved } from '../helpers/configs.ts';
import { fixture } from '../helpers/fixtures.ts';
import { recordingLogger } from '../helpers/recording-logger.ts';

const BUCKET = 'p13n-staging';
const config = resolved({
  namespaces: {
    shop: namespace({ inferenceItemMetadata: { type: 'dynamodb' } }),
    blog: namespace({ inferenceItemMetadata: { type: 'localdb' } }),
  },
});

let s3rver: Awaited<ReturnType<typeof startS3rver>>;
let dynalite: Awaited<ReturnType<typeof startDynalite>>;
let s3: S3Client;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  [s3rver, dynalite] = await Promise.all([startS3rver(), startDynalite()]);
  s3 = new S3Client({
    endpoint: s3rver.endpoint,
    credentials: s3rver.credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  dynamodb = new DynamoDBClient({ endpoint: dynalite.endpoint });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  // The table the sync task provisions for the dynamodb namespace, waited for as the state machine would.
  for (let attempt = 0; ; attempt++) {
    try {
      await syncDynamoDbTables(config, { dynamodb, logger: recordingLogger() });
      break;
    } catch (err) {
      if ((err as Error).name !== 'ResourcePending' || attempt > 50) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
});
afterAll(async () => {
  s3.destroy();
  dynamodb.destroy();
  await Promise.all([s3rver.stop(), dynalite.stop()]);
});

async function upload(key: string, lines: unknown[], gzip: boolean) {
  const text = `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`;
  const body = gzip ? gzipSync(text) : Buffer.from(text);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const raw = fixture('events/s3-object-created.json');
  raw.detail.object.key = key;
  raw.detail.object.size = body.length;
  return objectCreatedEventSchema.parse(raw);
}

const deps = () => ({
  s3,
  dynamodb,
  stagingBucket: BUCKET,
  loadConfig: async () => config,
  importItems,
  logger: recordingLogger(),
});

describe('load-item-metadata against s3rver and dynalite', () => {
  it('loads a gzipped file into the DynamoDB table and purges items of the previous import', async () => {
    const first = await upload(
      'import/shop/v1.jsonl.gz',
      [
        { id: 'a', title: 'A' },
        { id: 'b', title: 'B' },
      ],
      true,
    );
    await expect(loadItemMetadata(first, deps())).resolves.toMatchObject({
      status: 'imported',
      stores: [{ type: 'dynamodb', imported: 2, skipped: 0 }],
    });

    const second = await upload('import/shop/v2.jsonl.gz', [{ id: 'a', title: 'A2' }, 'not json'], true);
    const out = await loadItemMetadata(second, deps());
    expect(out).toMatchObject({ stores: [{ type: 'dynamodb', imported: 1, skipped: 1, purged: 1 }] });

    const table = 'PersonalizationApiItemMetadata_shop';
    const a = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'a' } } }));
    expect(JSON.stringify(a.Item)).toContain('A2');
    const b = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { id: { S: 'b' } } }));
    expect(b.Item).toBeUndefined();
  });

  it('builds the localdb file and uploads it to localdbs/{namespace}/ in the staging bucket', async () => {
    const event = await upload('import/blog/items.jsonl', [{ id: 'p1', title: 'Post' }], false);
    await expect(loadItemMetadata(event, deps())).resolves.toMatchObject({
      stores: [{ type: 'localdb', imported: 1, location: 's3://p13n-staging/localdbs/blog/items.mdb.gz' }],
    });
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'localdbs/blog/items.mdb.gz' }));
    expect(head.Metadata).toMatchObject({ items: '1' });
  });
});
