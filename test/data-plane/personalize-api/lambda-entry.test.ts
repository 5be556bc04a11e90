/**
 * The Personalize-compatible API through the Lambda entry point (data-plane/lambda.ts `handler`), where
 * production calls land: the official SDK clients, SigV4-signed, whose HTTP requests a small request
 * handler turns into API Gateway HTTP API (v2) events and whose answers come from the handler's results.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetRecommendationsCommand,
  PersonalizeRuntimeClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-personalize-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTinyRecommender, type TinyRecommender } from '../helpers.ts';
import { ARNS, compatConfig, startPersonalizeEventsStandIn } from './fixture.ts';

const HOST = 'r3pmxmplak.execute-api.us-east-1.amazonaws.com';
const KEY = { accessKeyId: 'AKIDLAMBDATEST', secretAccessKey: 'lambda-test-secret' };

interface SdkRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

type Handler = (
  event: unknown,
) => Promise<{ statusCode: number; headers?: Record<string, string>; body: string; isBase64Encoded?: boolean }>;

/** An SDK request handler that invokes the Lambda handler with the HTTP API (v2) event API Gateway would send. */
function viaApiGateway(handler: Handler) {
  return {
    async handle(request: SdkRequest) {
      const body = typeof request.body === 'string' ? request.body : Buffer.from(request.body ?? []).toString('utf8');
      const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const result = await handler({
        version: '2.0',
        routeKey: '$default',
        rawPath: request.path,
        rawQueryString: '',
        headers,
        requestContext: {
          accountId: '123456789012',
          apiId: 'r3pmxmplak',
          domainName: HOST,
          domainPrefix: 'r3pmxmplak',
          http: {
            method: request.method,
            path: request.path,
            protocol: 'HTTP/1.1',
            sourceIp: '198.51.100.20',
            userAgent: 'sdk',
          },
          requestId: 'req-1',
          routeKey: '$default',
          stage: '$default',
          time: '29/Nov/2026:20:00:00 +0000',
          timeEpoch: Date.now(),
        },
        body,
        isBase64Encoded: false,
      });
      return {
        response: {
          statusCode: result.statusCode,
          headers: result.headers ?? {},
          // As API Gateway does: a base64 result is decoded before it reaches the client.
          body: Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'),
        },
      };
    },
  };
}

let dir: string;
let tiny: TinyRecommender;
let standIn: Awaited<ReturnType<typeof startPersonalizeEventsStandIn>>;
let client: PersonalizeRuntimeClient;
const saved = { ...process.env };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'p13n-compat-lambda-'));
  tiny = await startTinyRecommender();
  standIn = await startPersonalizeEventsStandIn();
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(compatConfig({ dir, recommenderUrl: tiny.url })));
  Object.assign(process.env, {
    P13N_CONFIG: file,
    P13N_DATA_DIR: join(dir, 'data'),
    P13N_SIGV4_CREDENTIALS: `${KEY.accessKeyId}:${KEY.secretAccessKey}`,
    AWS_REGION: 'us-east-1',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  const { handler } = await import('../../../data-plane/lambda.ts');
  client = new PersonalizeRuntimeClient({
    region: 'us-east-1',
    credentials: KEY,
    endpoint: `https://${HOST}`,
    maxAttempts: 1,
    requestHandler: viaApiGateway(handler as unknown as Handler) as never,
  });
});

afterAll(async () => {
  process.env = saved;
  await tiny?.close();
  await standIn?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the Personalize-compatible API on Lambda', () => {
  it('answers a signed GetRecommendations from an HTTP API (v2) event', async () => {
    const out = await client.send(
      new GetRecommendationsCommand({
        campaignArn: ARNS.filtered,
        userId: 'u1',
        numResults: 2,
        filterArn: ARNS.filter,
      }),
    );
    expect(out.itemList?.map((i) => i.itemId)).toEqual(['item-1', 'item-2']);
    expect(out.recommendationId).toBe('rid-1');
    expect(JSON.parse(tiny.requests.at(-1)!.body)).toMatchObject({ userId: 'u1', filterArn: ARNS.filter });
  });

  it('raises the typed exception from the x-amzn-ErrorType of the Lambda result', async () => {
    await expect(
      client.send(new GetRecommendationsCommand({ campaignArn: ARNS.unknown, userId: 'u1' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('refuses a request signed with the wrong secret', async () => {
    const wrong = new PersonalizeRuntimeClient({
      region: 'us-east-1',
      credentials: { ...KEY, secretAccessKey: 'wrong' },
      endpoint: `https://${HOST}`,
      maxAttempts: 1,
      requestHandler: viaApiGateway(
        (await import('../../../data-plane/lambda.ts')).handler as unknown as Handler,
      ) as never,
    });
    const err = await wrong
      .send(new GetRecommendationsCommand({ campaignArn: ARNS.filtered, userId: 'u1' }))
      .catch((e: unknown) => e);
    expect((err as Error).name).toBe('InvalidSignatureException');
  });
});
