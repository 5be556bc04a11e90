/**
 * Starts s3rver (an S3 implementation backed by a temporary folder) on 127.0.0.1 with a random port.
 * Buckets are created by the test with CreateBucket; the folder is removed on stop. s3rver knows one
 * access key only, returned as `credentials` for the clients (and `AWS_ACCESS_KEY_ID` of child processes).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * Point an S3 client at it with `forcePathStyle: true` and the `WHEN_REQUIRED` checksum settings.
 *
 * @example
 * const s3 = await startS3rver();
 * const client = new S3Client({ endpoint: s3.endpoint, credentials: s3.credentials, forcePathStyle: true,
 *   requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
 */
export async function startS3rver(): Promise<{
  endpoint: string;
  credentials: typeof S3RVER_CREDENTIALS;
  stop(): Promise<void>;
}> {
  const directory = await mkdtemp(join(tmpdir(), 'p13n-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    credentials: S3RVER_CREDENTIALS,
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
