/**
 * The local Lambda runtime itself: it runs the data-plane asset the CDK app builds, in a child process
 * speaking the Runtime API, answers API Gateway HTTP (v2) and REST (v1) events, really freezes the
 * child between invocations, and sees the child's open sockets.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppConfigAgent, startAppConfigAgent } from '../helpers/appconfig-agent.ts';
import { apiResponse, httpApiEvent, restApiEvent } from './api-gateway-events.ts';
import { ASSET_APPCONFIG, type DataPlaneAsset, synthDataPlaneAsset } from './data-plane-asset.ts';
import { catalogue, type LambdaEmulators, startLambdaEmulators } from './emulators.ts';
import { type LocalLambda, processState, startLocalLambda } from './local-lambda.ts';
import { openFileDescriptors, tcpConnections } from './proc-fds.ts';

let asset: DataPlaneAsset;
let emulators: LambdaEmulators;
let agent: AppConfigAgent;
let lambda: LocalLambda;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const portOf = (endpoint: string) => Number(new URL(endpoint).port);
/** User and system CPU ticks the process has used (/proc/PID/stat fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function config(recommenderUrl: string) {
  return {
    version: 'harness-1',
    namespaces: {
      shop: {
        inferenceItemMetadata: { type: 'dynamodb' },
        recommenders: {
          'recommend-items': { top: { variations: { http: { type: 'http', url: `${recommenderUrl}/recs` } } } },
        },
      },
    },
  };
}

beforeAll(async () => {
  asset = synthDataPlaneAsset();
  emulators = await startLambdaEmulators();
  await emulators.loadTable('shop', catalogue(10, 'Table item'));
  agent = await startAppConfigAgent(ASSET_APPCONFIG, config(emulators.recommender.url));
  lambda = await startLocalLambda({
    asset,
    env: emulators.lambdaEnv({
      AWS_APPCONFIG_EXTENSION_HTTP_PORT: String(agent.port),
      P13N_CONFIG_POLL_INTERVAL_SECONDS: '1',
    }),
  });
}, 180_000);

afterAll(async () => {
  await lambda?.stop();
  await agent?.stop();
  await emulators?.stop();
});

describe('local Lambda runtime', () => {
  it('runs the asset the CDK app builds, with the environment the construct gives the function', () => {
    expect(asset.handler).toBe('index.handler');
    expect(asset.runtime).toMatch(/^nodejs\d+\.x$/);
    expect(asset.environment.AWS_APPCONFIG_EXTENSION_PREFETCH_LIST).toBe(
      `/applications/${ASSET_APPCONFIG.application}/environments/${ASSET_APPCONFIG.environment}/configurations/${ASSET_APPCONFIG.profile}`,
    );
    expect(asset.unresolved).toEqual(['P13N_STAGING_BUCKET', 'P13N_EVENT_IDEMPOTENCY_TABLE']);
    expect(lambda.coldStarts).toBe(1);
    expect(lambda.initMs).toBeGreaterThan(0);
  });

  it('answers an API Gateway HTTP API (v2) event with decorated items from the agent-served configuration', async () => {
    const invocation = await lambda.invoke(
      httpApiEvent({ path: '/recommend-items/shop/top/u1', query: { numResults: '3' } }),
    );
    expect(invocation.error).toBeUndefined();
    const res = apiResponse(invocation.result);
    expect(res.status).toBe(200);
    expect(res.headers['x-personalization-config-version']).toBe('harness-1');
    expect(JSON.parse(res.body).itemList).toEqual([
      expect.objectContaining({ itemId: 'item-1', metadata: { name: 'Table item 1' } }),
      expect.objectContaining({ itemId: 'item-2', metadata: { name: 'Table item 2' } }),
      expect.objectContaining({ itemId: 'item-3', metadata: { name: 'Table item 3' } }),
    ]);
  });

  it('answers an API Gateway REST API (v1) event in multiValueHeaders, and JSON errors through it', async () => {
    const ok = await lambda.invoke(restApiEvent({ path: '/recommend-items/shop/top/u2', query: { numResults: '2' } }));
    const res = apiResponse(ok.result);
    expect((ok.result as { multiValueHeaders: object }).multiValueHeaders).toBeDefined();
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).itemList).toHaveLength(2);
    const bad = apiResponse(
      (await lambda.invoke(restApiEvent({ path: '/recommend-items/shop/top/u2', query: { numResults: 'lots' } })))
        .result,
    );
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ code: 'InvalidParameter' });
  });

  it('freezes the child between invocations: no CPU, and its configuration poll timer does not fire', async () => {
    await lambda.invoke(httpApiEvent({ path: '/recommend-items/shop/top/u3' }));
    expect(lambda.isFrozen()).toBe(true);
    expect(processState(lambda.pid)).toBe('T');
    const polls = agent.requests();
    const ticks = cpuTicks(lambda.pid);
    await sleep(2500);
    expect(agent.requests()).toBe(polls);
    expect(cpuTicks(lambda.pid)).toBe(ticks);

    // Control: the same function left running polls the agent every second.
    const running = await startLocalLambda({
      asset,
      freeze: false,
      env: emulators.lambdaEnv({
        AWS_APPCONFIG_EXTENSION_HTTP_PORT: String(agent.port),
        P13N_CONFIG_POLL_INTERVAL_SECONDS: '1',
      }),
    });
    try {
      await running.invoke(httpApiEvent({ path: '/recommend-items/shop/top/u3' }));
      const before = agent.requests();
      await sleep(2500);
      expect(running.isFrozen()).toBe(false);
      expect(agent.requests()).toBeGreaterThanOrEqual(before + 2);
    } finally {
      await running.stop();
    }
  });

  it("counts the child's open file descriptors and the TCP connections among them", async () => {
    await lambda.invoke(httpApiEvent({ path: '/recommend-items/shop/top/u4' }));
    const fds = openFileDescriptors(lambda.pid);
    expect(fds.length).toBeGreaterThan(3);
    const connections = tcpConnections(lambda.pid);
    expect(
      connections.filter((c) => c.remotePort === portOf(emulators.dynamodbEndpoint) && c.state === 'ESTABLISHED'),
    ).not.toHaveLength(0);
    expect(connections.filter((c) => c.remotePort === emulators.hung.port)).toEqual([]);
    expect(fds.filter((f) => f.startsWith('socket:')).length).toBeGreaterThanOrEqual(connections.length);
  });

  it('kills a child that outlives the timeout and starts a fresh one for the next invocation', async () => {
    const short = await startLocalLambda({
      asset,
      timeoutSeconds: 1,
      env: emulators.lambdaEnv({
        AWS_APPCONFIG_EXTENSION_HTTP_PORT: String(agent.port),
        AWS_ENDPOINT_URL_DYNAMODB: emulators.hung.endpoint,
      }),
    });
    try {
      const first = short.pid;
      const hung = await short.invoke(httpApiEvent({ path: '/recommend-items/shop/top/u5' }));
      expect(hung).toMatchObject({ timedOut: true, error: { errorType: 'Sandbox.Timedout' } });
      expect(processState(first)).toBeUndefined();
      const next = await short.invoke(httpApiEvent({ path: '/nowhere' }));
      expect(apiResponse(next.result).status).toBe(404);
      expect(short.coldStarts).toBe(2);
      expect(short.pid).not.toBe(first);
    } finally {
      await short.stop();
    }
  });
});
