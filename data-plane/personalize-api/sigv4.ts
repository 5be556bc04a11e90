/**
 * Optional AWS Signature Version 4 verification for the Personalize-compatible API, so apps keep the
 * SDK's own request signing as their credential. The server knows access key → secret pairs; for each
 * request it checks the credential scope (known key, date of `x-amz-date`, service `personalize`,
 * `aws4_request`), that `x-amz-date` is within 15 minutes of now (AWS's window), then signs the request
 * again with @smithy/signature-v4 — the SDK's own signer, over exactly the headers the client signed —
 * and compares the signatures in constant time. Refusals use the service's error types. The signer
 * (with the SDK core it pulls in) loads with the first signed request, not in the init phase.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { type OnDemand, onDemand } from '../../shared/on-demand.ts';
import type { AppEnv } from '../app-env.ts';
import { PersonalizeApiError } from './errors.ts';

export interface SigV4Options {
  /** Secret access key by access key ID. */
  credentials: ReadonlyMap<string, string>;
  /** Epoch milliseconds. */
  clock: () => number;
}

/** How far `x-amz-date` may be from the server's clock, either way. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
const SERVICE = 'personalize';
const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

const unrecognized = (message: string) => new PersonalizeApiError(403, 'UnrecognizedClientException', message);
const invalidSignature = (message: string) => new PersonalizeApiError(403, 'InvalidSignatureException', message);

/** `20261129T204512Z` → epoch milliseconds, or NaN. */
function amzDate(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
}

/**
 * Parses `P13N_SIGV4_CREDENTIALS` (`AKID:SECRET,AKID2:SECRET2`).
 *
 * @example
 * parseSigV4Credentials('AKIDEXAMPLE:wJalrXUtnFEMI') // → Map { 'AKIDEXAMPLE' => 'wJalrXUtnFEMI' }
 */
export function parseSigV4Credentials(value: string): Map<string, string> {
  const credentials = new Map<string, string>();
  for (const pair of value.split(',')) {
    const at = pair.indexOf(':');
    const keyId = pair.slice(0, at).trim();
    const secret = pair.slice(at + 1).trim();
    if (at <= 0 || !keyId || !secret)
      throw new Error('SigV4 credentials must be ACCESS_KEY_ID:SECRET pairs, comma-separated');
    credentials.set(keyId, secret);
  }
  return credentials;
}

type Signer = typeof import('@smithy/signature-v4').SignatureV4;
type Sha256 = typeof import('@smithy/hash-node').Hash;

async function verify(
  c: Context<AppEnv>,
  options: SigV4Options,
  signing: OnDemand<{ SignatureV4: Signer; Hash: Sha256 }>,
): Promise<void> {
  const authorization = c.req.header('authorization');
  if (!authorization) throw unrecognized('Missing Authentication Token: sign the request with SigV4');
  const parts = AUTHORIZATION.exec(authorization.trim());
  if (!parts) throw invalidSignature('the Authorization header is not an AWS4-HMAC-SHA256 signature');
  const [, credential = '', signedHeaderList = '', signature = ''] = parts;
  const [keyId = '', day = '', region = '', service = '', terminator = ''] = credential.split('/');
  const secret = options.credentials.get(keyId);
  if (secret === undefined) throw unrecognized('The security token included in the request is invalid.');

  const date = c.req.header('x-amz-date') ?? '';
  const signedAt = amzDate(date);
  if (Number.isNaN(signedAt)) throw invalidSignature('x-amz-date is missing or not a yyyyMMddTHHmmssZ time');
  if (Math.abs(options.clock() - signedAt) > MAX_SKEW_MS) {
    throw invalidSignature(`Signature expired: ${date} is more than 15 minutes from the server's time`);
  }
  if (day !== date.slice(0, 8) || service !== SERVICE || terminator !== 'aws4_request' || !region) {
    throw invalidSignature(`Credential should be scoped to ${date.slice(0, 8)}/<region>/${SERVICE}/aws4_request`);
  }
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) throw invalidSignature('the signature must cover the host header');

  const url = new URL(c.req.url);
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = c.req.header(name);
    if (value === undefined) throw invalidSignature(`signed header ${name} is missing from the request`);
    headers[name] = value;
  }
  // The signer trusts a given x-amz-content-sha256 as the body's hash: check it against the body itself.
  const body = await c.req.text();
  const claimed = headers['x-amz-content-sha256'];
  if (claimed !== undefined && claimed !== createHash('sha256').update(body).digest('hex')) {
    throw invalidSignature('x-amz-content-sha256 does not match the request body');
  }
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name);
    query[name] = values.length === 1 ? values[0]! : values;
  }
  const { SignatureV4, Hash } = signing.current ?? (await signing.load());
  const signer = new SignatureV4({
    credentials: { accessKeyId: keyId, secretAccessKey: secret },
    region,
    service,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: c.req.method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query,
      headers,
      body,
    },
    { signingDate: new Date(signedAt) },
  );
  const expected = AUTHORIZATION.exec(String(signed.headers.authorization))?.[3] ?? '';
  if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    throw invalidSignature(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
}

/**
 * @example
 * app.use(sigV4Middleware({ credentials: parseSigV4Credentials(env.P13N_SIGV4_CREDENTIALS), clock: Date.now }));
 */
export function sigV4Middleware(options: SigV4Options): MiddlewareHandler<AppEnv> {
  const signing = onDemand(async () => {
    const [{ SignatureV4 }, { Hash }] = await Promise.all([
      import('@smithy/signature-v4'),
      import('@smithy/hash-node'),
    ]);
    return { SignatureV4, Hash };
  });
  return async (c, next) => {
    await verify(c, options, signing);
    await next();
  };
}
