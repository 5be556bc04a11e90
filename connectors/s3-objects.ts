/** The few S3 operations the cloud steps need: list a prefix, stream, read and write objects, parse s3:// URLs. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { JobConfigError } from './errors.ts';

export interface S3Location {
  bucket: string;
  /** Ends with `/` unless empty. */
  prefix: string;
}

/**
 * @example
 * parseS3Url('s3://mlops/batch/dsg/sol/out/') // { bucket: 'mlops', prefix: 'batch/dsg/sol/out/' }
 */
export function parseS3Url(url: string, what: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url.trim());
  if (!match?.[1]) throw new JobConfigError(`${what}: expected s3://BUCKET/PREFIX/, got '${url}'`);
  const path = match[2] ?? '';
  return { bucket: match[1], prefix: path === '' || path.endsWith('/') ? path : `${path}/` };
}

export async function listKeys(s3: S3Client, location: S3Location): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2(
    { client: s3 },
    { Bucket: location.bucket, Prefix: location.prefix },
  )) {
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
  }
  return keys;
}

export function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/** The object's body as a stream, or undefined when there is no such object. */
export async function openObject(s3: S3Client, bucket: string, key: string): Promise<Readable | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return out.Body as Readable;
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

export async function readText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  const body = await openObject(s3, bucket, key);
  if (!body) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export async function uploadFile(s3: S3Client, bucket: string, key: string, path: string): Promise<void> {
  const { size } = await stat(path);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: createReadStream(path),
      ContentLength: size,
      ContentType: 'application/x-ndjson',
    }),
  );
}

export async function deletePrefix(s3: S3Client, location: S3Location): Promise<number> {
  const keys = await listKeys(s3, location);
  for (let i = 0; i < keys.length; i += 1000) {
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: location.bucket,
        Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
      }),
    );
  }
  return keys.length;
}
