import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importItems } from '../../../contracts/item-metadata/import-items.ts';
import { createS3SyncedLocaldb } from '../../../data-plane/item-metadata/s3-sync.ts';
import { createItemMetadataStores } from '../../../data-plane/item-metadata/stores.ts';
import { validateConfig } from '../../../schema/validate-config.ts';
import { startS3rver } from '../../helpers/s3rver.ts';

const bucket = 'staging';
const root = mkdtempSync(join(tmpdir(), 'p13n-s3sync-'));
let server: Awaited<ReturnType<typeof startS3rver>>;
let s3: S3Client;
let getCalls = 0;

function recorder() {
  const entries: Array<{ level: string; message: string }> = [];
  const log = (level: string) => (message: string) => void entries.push({ level, message });
  return { entries, logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') } };
}

const jsonl = (items: unknown[]) => Readable.from([items.map((i) => JSON.stringify(i)).join('\n')]);

async function upload(namespace: string, items: unknown[]) {
  return importItems({
    namespace,
    config: { type: 'localdb' },
    source: jsonl(items),
    clients: { s3 },
    stagingBucket: bucket,
    dataDir: join(root, 'build'),
  });
}

beforeAll(async () => {
  server = await startS3rver();
  s3 = new S3Client({
    endpoint: server.endpoint,
    credentials: server.credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  s3.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'GetObjectCommand') getCalls++;
      return next(args);
    },
    { step: 'initialize', name: 'countGets' },
  );
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  s3.destroy();
  await server.stop();
});

describe('localdb synced from the staging bucket (s3rver)', () => {
  it('uploads a gzipped store to localdbs/{namespace}/', async () => {
    const report = await upload('shop', [{ id: 'a', name: 'A' }, { name: 'no id' }]);
    expect(report).toEqual({
      imported: 1,
      skipped: [{ line: 2, reason: 'missing "id"' }],
      skippedCount: 1,
      location: 's3://staging/localdbs/shop/items.mdb.gz',
    });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'localdbs/shop/items.mdb.gz' }));
    expect(head.Metadata).toMatchObject({ items: '1' });
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'localdbs/shop/items.mdb.gz' }));
    const bytes = await object.Body?.transformToByteArray();
    expect([bytes?.[0], bytes?.[1]]).toEqual([0x1f, 0x8b]);
    expect(readdirSync(join(root, 'build'))).toEqual([]);
  });

  it('downloads in the background, re-downloads only when the object changes, and swaps the new file in', async () => {
    await upload('catalog', [
      { id: 'a', v: 1 },
      { id: 'b', v: 1 },
    ]);
    const { entries, logger } = recorder();
    const dataDir = join(root, 'lambda-tmp');
    const store = createS3SyncedLocaldb({ s3, bucket, namespace: 'catalog', dataDir, logger });
    try {
      // The first request does not wait for the download: it is simply undecorated.
      expect((await store.getMany(['a'])).size).toBe(0);
      await store.sync();
      expect(Object.fromEntries(await store.getMany(['a', 'b', 'zz']))).toEqual({ a: { v: 1 }, b: { v: 1 } });

      const gets = getCalls;
      expect(await store.sync()).toBe(false);
      expect(getCalls).toBe(gets);

      await upload('catalog', [
        { id: 'a', v: 2 },
        { id: 'c', v: 2 },
      ]);
      expect(await store.sync()).toBe(true);
      expect(Object.fromEntries(await store.getMany(['a', 'b', 'c']))).toEqual({ a: { v: 2 }, c: { v: 2 } });
      expect(getCalls).toBe(gets + 1);
      // Only the live download is kept on disk.
      expect(readdirSync(join(dataDir, 'localdb', 'catalog')).filter((f) => f.endsWith('.mdb'))).toHaveLength(1);
      expect(entries.filter((e) => e.level === 'error')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('logs a missing object once, keeps serving the last file when the object disappears, and picks it up when it appears', async () => {
    const { entries, logger } = recorder();
    const store = createS3SyncedLocaldb({
      s3,
      bucket,
      namespace: 'later',
      dataDir: join(root, 'lambda-later'),
      logger,
    });
    try {
      for (let i = 0; i < 4; i++) {
        await store.sync();
        expect((await store.getMany(['x'])).size).toBe(0);
      }
      expect(entries.filter((e) => e.level === 'warn')).toHaveLength(1);

      await upload('later', [{ id: 'x', ok: true }]);
      expect(await store.sync()).toBe(true);
      expect((await store.getMany(['x'])).get('x')).toEqual({ ok: true });

      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'localdbs/later/items.mdb.gz' }));
      expect(await store.sync()).toBe(false);
      expect((await store.getMany(['x'])).get('x')).toEqual({ ok: true });
    } finally {
      await store.close();
    }
  });

  it('is what createItemMetadataStores gives for localdb when a staging bucket is set, once a configuration using it is prepared', async () => {
    await upload('wired', [{ id: 'w', n: 1 }]);
    const stores = createItemMetadataStores({
      dataDir: join(root, 'lambda-wired'),
      stagingBucket: bucket,
      clients: { s3: () => s3 },
      logger: recorder().logger,
    });
    const config = { type: 'localdb' as const, syncInterval: 300 };
    const resolved = validateConfig({
      namespaces: {
        wired: {
          inferenceItemMetadata: config,
          recommenders: {
            'recommend-items': { rfy: { variations: { v: { type: 'http', url: 'http://localhost:9/recs' } } } },
          },
        },
      },
    });
    if (!resolved.ok) throw new Error('invalid');
    expect(() => stores('wired', config)).toThrow(/used before a configuration using it was prepared/);
    try {
      await stores.prepare(resolved.resolved, { first: true, waitMs: 5000 });
      const store = stores('wired', config);
      await expect.poll(async () => (await store?.getMany(['w']))?.get('w')).toEqual({ n: 1 });
    } finally {
      await stores.close();
    }
  });
});
