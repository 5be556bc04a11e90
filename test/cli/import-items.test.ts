import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocaldbStore } from '../../data-plane/item-metadata/localdb-store.ts';
import { startDynalite } from '../helpers/dynalite.ts';
import { runCli } from '../helpers/run-cli.ts';
import { startS3rver } from '../helpers/s3rver.ts';

const dir = mkdtempSync(join(tmpdir(), 'p13n-import-cli-'));
const p13n = (args: string[], env: Record<string, string> = {}) => runCli(args, env);

const configFile = join(dir, 'config.json');
writeFileSync(
  configFile,
  JSON.stringify({
    namespaces: {
      shop: {
        inferenceItemMetadata: { type: 'localdb' },
        recommenders: {
          'recommend-items': { rfy: { variations: { v: { type: 'http', url: 'http://localhost:9/r' } } } },
        },
      },
      books: {
        inferenceItemMetadata: { type: 'dynamodb', tableNamePrefix: 'cli_' },
        recommenders: {
          'recommend-items': { rfy: { variations: { v: { type: 'http', url: 'http://localhost:9/r' } } } },
        },
      },
    },
  }),
);
const items = join(dir, 'items.jsonl.gz');
writeFileSync(items, gzipSync('{"id":"a","name":"A"}\n{"id":"b","name":"B"}\n{"name":"orphan"}\n{"id":"c"\n'));
const noneValid = join(dir, 'none.jsonl');
writeFileSync(noneValid, '{"name":"orphan"}\n\n');

describe('p13n import-items', () => {
  let dynalite: Awaited<ReturnType<typeof startDynalite>>;
  let s3rver: Awaited<ReturnType<typeof startS3rver>>;

  beforeAll(async () => {
    [dynalite, s3rver] = await Promise.all([startDynalite(), startS3rver()]);
    const dynamodb = new DynamoDBClient({ endpoint: dynalite.endpoint });
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'cli_books',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    dynamodb.destroy();
    const s3 = new S3Client({ endpoint: s3rver.endpoint, credentials: s3rver.credentials, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'staging' }));
    s3.destroy();
  });
  afterAll(async () => {
    await Promise.all([dynalite?.stop(), s3rver?.stop()]);
  });

  it('builds the local localdb from a gzip file, printing each bad line with its number', async () => {
    const dataDir = join(dir, 'data');
    const run = await p13n(['import-items', '--config', configFile, '--namespace', 'shop', '--file', items], {
      P13N_DATA_DIR: dataDir,
    });
    expect(run.stderr.trim().split('\n')).toEqual([
      `${items}: line 3: missing "id"`,
      expect.stringMatching(new RegExp(`^${items}: line 4: not valid JSON: `)),
    ]);
    expect(run.status).toBe(0);
    const match = /^shop: imported 2 items into localdb (\S+\.mdb) \(skipped 2\)$/.exec(run.stdout.trim());
    expect(match?.[1]?.startsWith(join(dataDir, 'localdb', 'shop'))).toBe(true);
    const store = new LocaldbStore(match?.[1]);
    expect(Object.fromEntries(await store.getMany(['a', 'b', 'c']))).toEqual({ a: { name: 'A' }, b: { name: 'B' } });
    await store.close();
  });

  it('bulk-loads DynamoDB through AWS_ENDPOINT_URL_DYNAMODB and purges on re-import', async () => {
    const env = { AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint };
    const args = ['import-items', '--config', configFile, '--namespace', 'books', '--file'];
    const first = await p13n([...args, items], env);
    expect(first.stdout.trim()).toBe('books: imported 2 items into dynamodb cli_books (skipped 2, purged 0 older)');
    expect(first.status).toBe(0);

    const smaller = join(dir, 'smaller.jsonl');
    writeFileSync(smaller, '{"id":"a","name":"A2"}\n');
    const second = await p13n([...args, smaller], env);
    expect(second.stdout.trim()).toBe('books: imported 1 item into dynamodb cli_books (skipped 0, purged 1 older)');
    const dynamodb = new DynamoDBClient({ endpoint: dynalite.endpoint });
    const { Items } = await dynamodb.send(new ScanCommand({ TableName: 'cli_books' }));
    dynamodb.destroy();
    expect(Items?.map((i) => i.id?.S)).toEqual(['a']);
  });

  it('uploads a localdb to the staging bucket through AWS_ENDPOINT_URL_S3', async () => {
    const run = await p13n(
      ['import-items', '--config', configFile, '--namespace', 'books', '--store', 'localdb'].concat([
        '--file',
        items,
        '--staging-bucket',
        'staging',
        '--data-dir',
        join(dir, 'scratch'),
      ]),
      {
        AWS_ENDPOINT_URL_S3: s3rver.endpoint,
        AWS_ACCESS_KEY_ID: s3rver.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3rver.credentials.secretAccessKey,
      },
    );
    expect(run.stdout.trim()).toBe(
      'books: imported 2 items into localdb s3://staging/localdbs/books/items.mdb.gz (skipped 2)',
    );
    const s3 = new S3Client({ endpoint: s3rver.endpoint, credentials: s3rver.credentials, forcePathStyle: true });
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'staging', Key: 'localdbs/books/items.mdb.gz' }));
    s3.destroy();
    expect(head.Metadata?.items).toBe('2');
  });

  it('exits 1 when no line is valid', async () => {
    const run = await p13n(['import-items', '--config', configFile, '--namespace', 'shop', '--file', noneValid], {
      P13N_DATA_DIR: join(dir, 'data-none'),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${noneValid}: line 1: missing "id"`);
    expect(run.stderr).toContain('no valid item; localdb store for shop left unchanged');
  });

  it('exits 2 on a bad command line, an unknown namespace or an unreadable file', async () => {
    const base = ['import-items', '--config', configFile];
    const cases: Array<[string[], RegExp]> = [
      [[...base, '--namespace', 'shop'], /--file is required/],
      [[...base, '--namespace', 'shop', '--file', items, '--store', 'redis'], /--store must be localdb or dynamodb/],
      [[...base, '--namespace', 'nope', '--file', items], /namespace nope is not in/],
      [[...base, '--namespace', 'shop', '--file', join(dir, 'missing.jsonl')], /cannot read .*missing\.jsonl: ENOENT/],
      [['import-items', '--config', join(dir, 'nope.json'), '--namespace', 'shop', '--file', items], /ENOENT/],
    ];
    for (const [args, message] of cases) {
      const run = await p13n(args);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });
});
