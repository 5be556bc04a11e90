/**
 * The data plane's lifecycle proven on the artefact Lambda runs: the asset the CDK app builds, under
 * the local runtime that freezes it between invocations, with emulators behind it.
 * (a) cold start prepares the S3-synced localdb; (b) exposures are delivered before the freeze;
 * (c) configuration changes through the AppConfig agent are prepared before they serve, refused when
 * they cannot be, and what they drop is released; (d) one deadline per request against a hung
 * DynamoDB, Kinesis and Evidently, with no socket left behind.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAppConfigAgent } from '../helpers/appconfig-agent.ts';
import { apiResponse, httpApiEvent, restApiEvent } from './api-gateway-events.ts';
import { ASSET_APPCONFIG, type DataPlaneAsset, synthDataPlaneAsset } from './data-plane-asset.ts';
import { catalogue, type LambdaEmulators, startLambdaEmulators } from './emulators.ts';
import { type LocalLambda, startLocalLambda } from './local-lambda.ts';
import { openFileDescriptors, tcpConnections } from './proc-fds.ts';

const NOT_READY_HEADER = 'x-personalization-item-metadata';
const BUDGET_MS = 1500;

let asset: DataPlaneAsset;
let emulators: LambdaEmulators;
const running: Array<{ stop(): Promise<void> }> = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cacheControl = { userSpecified: { maxAge: 300, directives: 'public' } };
const http = () => ({ type: 'http', url: `${emulators.recommender.url}/recs` });
const localdbNamespace = () => ({
  inferenceItemMetadata: { type: 'localdb', syncInterval: 60 },
  recommenders: { 'recommend-items': { top: { variations: { http: http() } } } },
});

async function start(config: unknown, env: Record<string, string> = {}, timeoutSeconds?: number) {
  const agent = await startAppConfigAgent(ASSET_APPCONFIG, config);
  running.push(agent);
  const lambda = await startLocalLambda({
    asset,
    timeoutSeconds,
    env: emulators.lambdaEnv({
      AWS_APPCONFIG_EXTENSION_HTTP_PORT: String(agent.port),
      P13N_CONFIG_POLL_INTERVAL_SECONDS: '1',
      ...env,
    }),
  });
  running.push(lambda);
  return { agent, lambda };
}

async function get(lambda: LocalLambda, path: string, query: Record<string, string> = {}) {
  const invocation = await lambda.invoke(httpApiEvent({ path, query }));
  expect(invocation.error, JSON.stringify(invocation.error)).toBeUndefined();
  const res = apiResponse(invocation.result);
  return { ...res, json: JSON.parse(res.body), durationMs: invocation.durationMs };
}

const names = (body: { itemList: Array<{ metadata?: { name: string } }> }) =>
  body.itemList.map((i) => i.metadata?.name);

/** The JSON log lines of the function (Powertools logs and EMF metrics). */
const jsonLines = (lambda: LocalLambda): Array<Record<string, any>> =>
  lambda.logs().flatMap((line) => {
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });

beforeAll(async () => {
  asset = synthDataPlaneAsset();
  emulators = await startLambdaEmulators();
}, 180_000);

afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

afterAll(() => emulators?.stop());

describe('(a) cold start with an S3-synced localdb', () => {
  it('answers its first request with every item decorated', async () => {
    await emulators.publishLocaldb('cold', catalogue(10, 'Cold item'));
    const { lambda } = await start({ version: 'a1', cacheControl, namespaces: { cold: localdbNamespace() } });
    const first = await get(lambda, '/recommend-items/cold/top/u1', { numResults: '5' });
    expect(first.status).toBe(200);
    expect(names(first.json)).toEqual(['Cold item 1', 'Cold item 2', 'Cold item 3', 'Cold item 4', 'Cold item 5']);
    expect(first.headers['cache-control']).toBe('max-age=300, public');
    expect(first.headers[NOT_READY_HEADER]).toBeUndefined();
  });

  it('marks undecorated answers of a store that is not ready, sends them no-store and never caches them', async () => {
    const { lambda } = await start({ version: 'a2', cacheControl, namespaces: { absent: localdbNamespace() } });
    for (const attempt of [1, 2]) {
      const invocation = await lambda.invoke(restApiEvent({ path: '/recommend-items/absent/top/u1' }));
      const res = apiResponse(invocation.result);
      expect(res.status, `attempt ${attempt}`).toBe(200);
      expect(res.headers[NOT_READY_HEADER], `attempt ${attempt}`).toBe('not-ready');
      expect(res.headers['cache-control'], `attempt ${attempt}`).toBe('no-store');
      expect(res.headers.etag, `attempt ${attempt}`).toBeUndefined();
      expect(res.headers['x-cache'], `attempt ${attempt}`).not.toBe('hit');
    }
  });
});

describe('(b) an experiment recommender', () => {
  it("has each invocation's exposure in the targets while the function is frozen", async () => {
    const stream = `exposures-${Date.now()}`;
    await emulators.kinesis.createStream(stream);
    const file = join(mkdtempSync(join(tmpdir(), 'p13n-exposures-')), 'exposures.jsonl');
    const { lambda } = await start({
      version: 'b1',
      namespaces: {
        ab: {
          recommenders: {
            'recommend-items': {
              top: {
                experiments: { 'ab-test': { method: 'hash', weights: { a: 50, b: 50 } } },
                variations: { a: http(), b: http() },
              },
            },
          },
          eventTargets: [
            { type: 'kinesis-stream', streamName: stream },
            { type: 'file', path: file },
          ],
        },
      },
    });
    const exposed = (lines: string[]) =>
      lines
        .flatMap((text) => text.split('\n'))
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .filter((r) => r.kind === 'exposure')
        .map((r) => r.userId);
    for (const user of ['u1', 'u2', 'u3']) {
      const res = await get(lambda, `/recommend-items/ab/top/${user}`);
      expect(res.json.matchedExperiment).toMatchObject({ feature: 'ab-test' });
      expect(lambda.isFrozen()).toBe(true);
      const inFile = exposed([readFileSync(file, { encoding: 'utf8', flag: 'a+' })]);
      expect(inFile, `file target after ${user}`).toContain(user);
      expect(exposed(await emulators.kinesis.records(stream)), `Kinesis target after ${user}`).toContain(user);
    }
  });
});

describe('(c) a configuration change through the AppConfig agent', () => {
  it('serves a prepared new configuration within the poll interval, refuses one it cannot prepare, releases what one drops', async () => {
    await emulators.publishLocaldb('shop', catalogue(5, 'Shop item'));
    const shop = localdbNamespace();
    const { agent, lambda } = await start({ version: 'c1', namespaces: { shop } });
    expect((await get(lambda, '/recommend-items/shop/top/u1')).headers['x-personalization-config-version']).toBe('c1');

    await emulators.publishLocaldb('garden', catalogue(5, 'Garden item'));
    agent.deploy({ version: 'c2', namespaces: { shop, garden: localdbNamespace() } });
    await sleep(1100);
    const garden = await get(lambda, '/recommend-items/garden/top/u1', { numResults: '3' });
    expect(garden.status).toBe(200);
    expect(garden.headers['x-personalization-config-version']).toBe('c2');
    expect(names(garden.json)).toEqual(['Garden item 1', 'Garden item 2', 'Garden item 3']);
    expect(openFileDescriptors(lambda.pid).some((f) => f.includes('/localdb/garden/'))).toBe(true);

    agent.deploy({ version: 'c3', namespaces: { shop, garden: localdbNamespace(), attic: localdbNamespace() } });
    await sleep(1100);
    const still = await get(lambda, '/recommend-items/shop/top/u2');
    expect(still.status).toBe(200);
    expect(still.headers['x-personalization-config-version']).toBe('c2');
    expect((await get(lambda, '/recommend-items/attic/top/u2')).status).toBe(404);
    const logs = jsonLines(lambda);
    expect(logs.some((l) => /refused/.test(String(l.message)) && l.version === 'c3')).toBe(true);
    expect(
      logs.some((l) => l._aws?.CloudWatchMetrics?.[0]?.Metrics?.some((m: any) => m.Name === 'ConfigurationRefused')),
    ).toBe(true);

    agent.deploy({ version: 'c4', namespaces: { shop } });
    await sleep(1100);
    expect((await get(lambda, '/recommend-items/shop/top/u3')).headers['x-personalization-config-version']).toBe('c4');
    expect(openFileDescriptors(lambda.pid).filter((f) => f.includes('/localdb/garden/'))).toEqual([]);
  });
});

describe('(d) one deadline per request against a hung service', () => {
  it('answers within the budget with the documented status and leaves no socket behind', async () => {
    const { hung } = emulators;
    const stream = `clicks-${Date.now()}`;
    const { lambda } = await start(
      {
        version: 'd1',
        namespaces: {
          ddb: {
            inferenceItemMetadata: { type: 'dynamodb' },
            recommenders: { 'recommend-items': { top: { variations: { http: http() } } } },
          },
          events: {
            recommenders: { 'recommend-items': { top: { variations: { http: http() } } } },
            eventTargets: [{ type: 'kinesis-stream', streamName: stream }],
          },
          evid: {
            recommenders: {
              'recommend-items': {
                top: {
                  experiments: {
                    flag: {
                      method: 'evidently',
                      project: 'store',
                      metrics: { clicks: { trackExposures: true, entityIdKey: 'user', valueKey: 'value' } },
                    },
                  },
                  variations: { first: http(), second: http() },
                },
              },
            },
          },
        },
      },
      {
        AWS_ENDPOINT_URL_DYNAMODB: hung.endpoint,
        AWS_ENDPOINT_URL_KINESIS: hung.endpoint,
        AWS_ENDPOINT_URL_EVIDENTLY: hung.endpoint,
        P13N_REQUEST_BUDGET_MS: String(BUDGET_MS),
      },
      10,
    );
    // Warm: the origin's keep-alive socket is part of the baseline.
    expect((await get(lambda, '/recommend-items/ddb/top/u0', { decorateItems: 'false' })).status).toBe(200);
    const baseline = tcpConnections(lambda.pid).length;
    const cases = [
      { name: 'DynamoDB', event: httpApiEvent({ path: '/recommend-items/ddb/top/u1' }), status: 504 },
      {
        name: 'Kinesis',
        event: httpApiEvent({
          method: 'POST',
          path: '/events/events',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userId: 'u1', eventList: [{ eventType: 'click', itemId: 'item-1' }] }),
        }),
        status: 504,
      },
      { name: 'Evidently', event: httpApiEvent({ path: '/recommend-items/evid/top/u1' }), status: 200 },
    ];
    for (const c of cases) {
      const invocation = await lambda.invoke(c.event);
      expect(invocation.timedOut, `${c.name}: the invocation hung until the function timeout`).toBeUndefined();
      expect(invocation.durationMs, c.name).toBeLessThan(BUDGET_MS + 200);
      const res = apiResponse(invocation.result);
      expect(res.status, `${c.name}: ${res.body}`).toBe(c.status);
      const sockets = tcpConnections(lambda.pid);
      expect(
        sockets.filter((s) => s.remotePort === hung.port),
        c.name,
      ).toEqual([]);
      expect(sockets.length, c.name).toBeLessThanOrEqual(baseline);
    }
    const evid = await get(lambda, '/recommend-items/evid/top/u2');
    expect(evid.json.matchedExperiment).toBeUndefined();
  });
});
