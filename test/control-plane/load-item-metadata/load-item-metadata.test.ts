import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type LoadItemMetadataDeps,
  loadItemMetadata,
  namespaceOfKey,
} from '../../../control-plane/load-item-metadata/load-item-metadata.ts';
import { objectCreatedEventSchema } from '../../../state-machines/load-item-metadata-payload.ts';
import { namespace, resolved } from '../helpers/configs.ts';
import { fixture } from '../helpers/fixtures.ts';
import { recordingLogger } from '../helpers/recording-logger.ts';

const s3 = mockClient(S3Client);
const config = resolved({
  namespaces: {
    shop: namespace({ inferenceItemMetadata: { type: 'dynamodb' } }),
    blog: {
      inferenceItemMetadata: { type: 'localdb' },
      recommenders: {
        'related-items': {
          similar: {
            variations: {
              v: {
                type: 'http',
                url: 'http://127.0.0.1:9/related',
                inferenceItemMetadata: { type: 'dynamodb', tableNamePrefix: 'Blog_' },
              },
            },
          },
        },
      },
    },
    news: namespace({ inferenceItemMetadata: { type: 'personalize', itemColumns: ['TITLE'] } }),
  },
});

const eventFor = (key: string, size = 2048) => {
  const raw = fixture('events/s3-object-created.json');
  raw.detail.object.key = key;
  raw.detail.object.size = size;
  return objectCreatedEventSchema.parse(raw);
};

function deps(): LoadItemMetadataDeps & {
  importItems: ReturnType<typeof vi.fn>;
  logger: ReturnType<typeof recordingLogger>;
} {
  return {
    s3: new S3Client({}),
    dynamodb: new DynamoDBClient({}),
    stagingBucket: 'p13n-staging',
    loadConfig: async () => config,
    importItems: vi.fn(async (opts: any) => {
      const chunks: Buffer[] = [];
      for await (const c of opts.source) chunks.push(Buffer.from(c));
      return {
        imported: Buffer.concat(chunks).toString().trim().split('\n').length,
        skipped: [{ line: 3, reason: 'missing "id"' }],
        skippedCount: 1,
        location: opts.config.type === 'localdb' ? 's3://p13n-staging/localdbs/x' : 'table',
        ...(opts.config.type === 'dynamodb' ? { purged: 2 } : {}),
      };
    }),
    logger: recordingLogger(),
  };
}

beforeEach(() => {
  s3.reset();
  s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from(['{"id":"1"}\n{"id":"2"}\n']) }));
});

describe('loadItemMetadata', () => {
  it('imports the file into the namespace store with the staging bucket and both clients', async () => {
    const d = deps();
    const out = await loadItemMetadata(eventFor('import/shop/items.jsonl.gz'), d);
    expect(out).toEqual({
      status: 'imported',
      namespace: 'shop',
      key: 'import/shop/items.jsonl.gz',
      stores: [{ type: 'dynamodb', location: 'table', imported: 2, skipped: 1, purged: 2 }],
    });
    expect(d.importItems).toHaveBeenCalledTimes(1);
    expect(d.importItems.mock.calls[0]![0]).toMatchObject({
      namespace: 'shop',
      config: { type: 'dynamodb' },
      stagingBucket: 'p13n-staging',
      clients: { s3: d.s3, dynamodb: d.dynamodb },
    });
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'p13n-staging',
      Key: 'import/shop/items.jsonl.gz',
    });
    expect(d.logger.messages('warn')).toEqual(['lines skipped during import']);
  });

  it('loads every distinct store a namespace reads, re-reading the object for each', async () => {
    const d = deps();
    const out = await loadItemMetadata(eventFor('import/blog/2026/11/items.jsonl'), d);
    expect(out).toMatchObject({ status: 'imported', namespace: 'blog' });
    expect(d.importItems.mock.calls.map((c: any[]) => c[0].config)).toEqual([
      { type: 'localdb' },
      { type: 'dynamodb', tableNamePrefix: 'Blog_' },
    ]);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(2);
  });

  it.each([
    ['items/shop/items.jsonl', 2048, 'not an import file (expected import/{namespace}/{file})'],
    ['import/shop/', 0, 'not an import file (expected import/{namespace}/{file})'],
    ['import/items.jsonl', 2048, 'not an import file (expected import/{namespace}/{file})'],
    ['import/shop/items.jsonl', 0, 'empty object'],
  ])('ignores %s (size %i) with a log line', async (key, size, reason) => {
    const d = deps();
    await expect(loadItemMetadata(eventFor(key, size), d)).resolves.toEqual({ status: 'ignored', key, reason });
    expect(d.importItems).not.toHaveBeenCalled();
    expect(d.logger.lines).toEqual([
      { level: 'info', message: 'object ignored', extra: { bucket: 'p13n-staging', key, reason } },
    ]);
  });

  it('fails for a namespace that is not configured or has nothing to import into', async () => {
    await expect(loadItemMetadata(eventFor('import/unknown/items.jsonl'), deps())).rejects.toMatchObject({
      name: 'ValidationFailed',
      message: "import/unknown/items.jsonl: namespace 'unknown' is not in the deployed configuration",
    });
    await expect(loadItemMetadata(eventFor('import/news/items.jsonl'), deps())).rejects.toMatchObject({
      name: 'ValidationFailed',
      message: "import/news/items.jsonl: namespace 'news' has no localdb or dynamodb item metadata to import into",
    });
  });
});

describe('namespaceOfKey', () => {
  it('takes the segment after import/', () => {
    expect(namespaceOfKey('import/shop/a.jsonl')).toBe('shop');
    expect(namespaceOfKey('import/shop/sub/a.jsonl.gz')).toBe('shop');
    expect(namespaceOfKey('import//a.jsonl')).toBeUndefined();
    expect(namespaceOfKey('imports/shop/a.jsonl')).toBeUndefined();
  });
});
