/**
 * The Lambda entry point with real-shaped API Gateway REST (v1), HTTP API (v2) and ALB events.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createLambdaHandler,
  invocationAnnotations,
  powertoolsMetrics,
  powertoolsTracing,
} from '../../data-plane/lambda.ts';
import { appFor, httpConfig, startTinyRecommender, type TinyRecommender } from './helpers.ts';

type AnyEvent = Record<string, any>;
const fixture = (name: string): AnyEvent =>
  JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8'));

let recommender: TinyRecommender;
let handler: ReturnType<typeof createLambdaHandler>;
beforeAll(async () => {
  recommender = await startTinyRecommender();
  handler = createLambdaHandler(await appFor(httpConfig(recommender.url)));
});
afterAll(() => recommender.close());
const lastPayload = () => JSON.parse(recommender.requests.at(-1)!.body);

describe('Lambda handler', () => {
  it('serves an API Gateway REST (v1) event, answering multiValueHeaders', async () => {
    const res = (await handler(fixture('apigw-rest-v1') as never)) as AnyEvent;
    expect(res.statusCode).toBe(200);
    expect(res.multiValueHeaders['x-personalization-config-version']).toEqual(['7']);
    expect(res.multiValueHeaders['cache-control']).toEqual(['max-age=10, private']);
    expect(JSON.parse(res.body).itemList).toHaveLength(2);
    expect(lastPayload()).toMatchObject({ userId: 'user 42', numResults: 2, context: { page: 'home' } });
  });

  it('serves POST rerank-items from a REST (v1) event body', async () => {
    const event = structuredClone(fixture('apigw-rest-v1'));
    Object.assign(event, {
      httpMethod: 'POST',
      path: '/rerank-items/retail/ranking/u1',
      resource: '/rerank-items/{namespace}/{recommender}/{userId}',
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      body: JSON.stringify(['p', 'q']),
    });
    const res = (await handler(event as never)) as AnyEvent;
    expect(res.statusCode).toBe(200);
    expect(res.multiValueHeaders['cache-control']).toEqual(['no-store']);
    expect(JSON.parse(res.body).personalizedRanking.map((i: { itemId: string }) => i.itemId)).toEqual(['q', 'p']);
  });

  it('serves an API Gateway HTTP API (v2) event, answering headers', async () => {
    const res = (await handler(fixture('apigw-http-v2') as never)) as AnyEvent;
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-personalization-config-version']).toBe('7');
    expect(res.headers['cache-control']).toBe('max-age=10, private');
    expect(JSON.parse(res.body).itemList).toHaveLength(3);
    expect(lastPayload()).toMatchObject({ action: 'related-items', itemId: 'sku/123', userId: 'u7' });
  });

  it('serves an ALB event', async () => {
    const res = (await handler(fixture('alb') as never)) as AnyEvent;
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-personalization-config-version']).toBe('7');
    expect(lastPayload().itemList).toEqual(['a,b', 'c']);
  });

  it('answers JSON errors through every event shape', async () => {
    const v2 = structuredClone(fixture('apigw-http-v2'));
    v2.rawQueryString = 'numResults=lots';
    const bad = (await handler(v2 as never)) as AnyEvent;
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({
      type: 'ClientError',
      code: 'InvalidParameter',
      message: 'numResults must be a whole number from 1 to 500',
    });
    const alb = structuredClone(fixture('alb'));
    alb.path = '/nowhere';
    const missing = (await handler(alb as never)) as AnyEvent;
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['x-personalization-config-version']).toBe('7');
  });
});

describe('the exported handler', () => {
  it('builds its dependencies from the environment and publishes EMF metrics under the service name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p13n-lambda-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(httpConfig(recommender.url, { version: 'from-file' })));
    vi.stubEnv('P13N_CONFIG', file);
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const { handler: entry } = await import('../../data-plane/lambda.ts');
      const first = (await entry(fixture('apigw-http-v2') as never)) as AnyEvent;
      const second = (await entry(fixture('apigw-rest-v1') as never)) as AnyEvent;
      expect(first.statusCode).toBe(200);
      expect(first.headers['x-personalization-config-version']).toBe('from-file');
      expect(second.statusCode).toBe(200);
      // The cold start's (the first configuration prepared), ColdStart, then one per invocation.
      const emf = written.map((line) => JSON.parse(line)).filter((entry) => entry._aws);
      expect(emf.filter((entry) => entry.ConfigurationPrepareTime !== undefined)).toHaveLength(1);
      // The first invocation of an environment records ColdStart (Powertools publishes it on its own).
      expect(emf.filter((entry) => entry.ColdStart !== undefined)).toHaveLength(1);
      const responses = emf.filter((entry) => entry.Response !== undefined);
      expect(responses).toHaveLength(2);
      expect(responses[0]).toMatchObject({ service: 'personalization-apis-data-plane', Response: 1 });
      expect(responses[0]._aws.CloudWatchMetrics[0].Namespace).toBe('PersonalizationApis');
      expect(typeof responses[0].OriginLatency).toBe('number');
    } finally {
      stdout.mockRestore();
      vi.unstubAllEnvs();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('observability on Lambda', () => {
  it('sends dimensioned metrics (per event target) as their own EMF record', async () => {
    const { Metrics } = await import('@aws-lambda-powertools/metrics');
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const powertools = new Metrics({ serviceName: 'svc', namespace: 'PersonalizationApis' });
      powertoolsMetrics(powertools).add('EventTargetFailed', 'Count', 1, { target: 'kinesis-stream:clicks' });
      const record = written.map((line) => JSON.parse(line)).find((entry) => entry.EventTargetFailed !== undefined);
      expect(record).toMatchObject({ EventTargetFailed: 1, target: 'kinesis-stream:clicks', service: 'svc' });
      expect(record._aws.CloudWatchMetrics[0].Dimensions[0]).toContain('target');
    } finally {
      stdout.mockRestore();
    }
  });

  it('annotates each invocation with namespace, recommender, variation and cache status, in a subsegment', async () => {
    const annotations: Record<string, string | number> = {};
    const segments: string[] = [];
    const parent = {
      addNewSubsegment: (name: string) => {
        segments.push(`open ${name}`);
        return { addError: () => segments.push('error'), close: () => segments.push('close') };
      },
    };
    const tracer = {
      getSegment: () => parent,
      setSegment: (segment: unknown) => segments.push(segment === parent ? 'restore' : 'enter'),
      putAnnotation: (key: string, value: string | number) => {
        annotations[key] = value;
      },
    };
    const traced = createLambdaHandler(await appFor(httpConfig(recommender.url)), {
      tracing: powertoolsTracing(tracer),
    });
    const first = (await traced(fixture('apigw-http-v2') as never)) as AnyEvent;
    expect(first.statusCode).toBe(200);
    expect(segments).toEqual(['open ## data-plane', 'enter', 'close', 'restore']);
    expect(annotations).toEqual({
      status: 200,
      action: 'related-items',
      namespace: 'retail',
      recommender: 'similar',
      variation: 'post',
      cacheStatus: 'miss',
    });
    await traced(fixture('apigw-http-v2') as never);
    expect(annotations.cacheStatus).toBe('hit');
  });

  it('reads annotations from REST (v1) results too', () => {
    const annotations = invocationAnnotations(
      { path: '/recommend-items/retail/for-you/u1' } as never,
      { statusCode: 200, multiValueHeaders: { 'X-Personalization-Variation': ['post'], 'X-Cache': ['miss'] } } as never,
    );
    expect(annotations).toEqual({
      status: 200,
      action: 'recommend-items',
      namespace: 'retail',
      recommender: 'for-you',
      variation: 'post',
      cacheStatus: 'miss',
    });
  });
});
