/**
 * HTTP throughput and latency of `p13n serve` (the real CLI, embedded default configuration:
 * builtin recommender, local LMDB item metadata) against a raw node:http server that returns a
 * pre-serialised body of the same size, all in one run so the ratios are comparable. Three loads,
 * each with autocannon (50 connections) after a warm-up:
 *   raw        — node:http, one pre-serialised body;
 *   cache-hit  — related-items, 25 decorated items, answered from the in-process response cache;
 *   miss       — recommend-items on the builtin recommender, 25 decorated items, a different user per
 *                request (never cached: the sample's user responses are `max-age=0`).
 * Each server runs in its own process. Prints one line. Run with `npm run bench:http`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { embeddedDefaultConfig } from '../helpers/serve-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_UP_S = 3;
const USERS = 500;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForHttp(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: server exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`${url} did not come up`);
}

function start(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

const RAW_SERVER = `
const { readFileSync } = require('node:fs');
const body = readFileSync(process.env.BODY_FILE);
require('node:http')
  .createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  failures: number;
}

async function load(base: string, path: (i: number) => string, seconds: number): Promise<Figures> {
  let i = 0;
  const result = await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: path(i++) }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

async function measure(base: string, path: (i: number) => string): Promise<Figures> {
  await load(base, path, WARM_UP_S);
  return load(base, path, DURATION_S);
}

const dir = mkdtempSync(join(tmpdir(), 'p13n-bench-http-'));
const children: ChildProcess[] = [];
try {
  const servePort = await freePort();
  const serveBase = `http://127.0.0.1:${servePort}`;
  // The embedded default, copied so the exposures of the miss runs go to the temporary folder.
  const config = embeddedDefaultConfig(dir);
  const serve = start(['dist/p13n.mjs', 'serve', '--config', config, '--port', String(servePort)], {
    P13N_DATA_DIR: join(dir, 'data'),
  });
  children.push(serve);
  await waitForHttp(`${serveBase}/openapi.json`, serve);

  const itemIds = (await (await fetch(`${serveBase}/recommend-items/retail/for-you/user-1?numResults=25`)).json()) as {
    itemList: Array<{ itemId: string; metadata?: unknown }>;
  };
  const hitItem = itemIds.itemList[0]!.itemId;
  const hitPath = `/related-items/retail/similar/${hitItem}?numResults=25`;
  const hitResponse = await fetch(`${serveBase}${hitPath}`);
  const hitBody = Buffer.from(await hitResponse.arrayBuffer());
  const check = await fetch(`${serveBase}${hitPath}`);
  const decorated = (JSON.parse(hitBody.toString()) as { itemList: Array<{ metadata?: unknown }> }).itemList.filter(
    (item) => item.metadata,
  ).length;
  if (check.headers.get('x-cache') !== 'hit') throw new Error(`${hitPath} is not served from the cache`);
  const missDecorated = itemIds.itemList.filter((item) => item.metadata).length;

  const bodyFile = join(dir, 'body.json');
  writeFileSync(bodyFile, hitBody);
  const rawPort = await freePort();
  const rawBase = `http://127.0.0.1:${rawPort}`;
  const raw = start(['-e', RAW_SERVER], { BODY_FILE: bodyFile, PORT: String(rawPort) });
  children.push(raw);
  await waitForHttp(rawBase, raw);

  const rawFigures = await measure(rawBase, () => '/');
  const hit = await measure(serveBase, () => hitPath);
  const miss = await measure(serveBase, (i) => `/recommend-items/retail/for-you/user-${(i % USERS) + 1}?numResults=25`);

  const show = (name: string, f: Figures) =>
    `${name} ${Math.round(f.rps)} req/s p50 ${f.p50} ms p99 ${f.p99} ms` +
    (f === rawFigures ? '' : ` (${(f.rps / rawFigures.rps).toFixed(2)}× raw)`) +
    (f.failures ? ` ${f.failures} FAILED` : '');
  const ratio = hit.rps / rawFigures.rps;
  console.log(
    `http (${CONNECTIONS} connections, ${DURATION_S} s each, ${hitBody.length}-byte body, ` +
      `${decorated}/${missDecorated} decorated items): ${show('raw', rawFigures)} · ${show('cache-hit', hit)} · ` +
      `${show('miss', miss)} · target cache-hit ≥ 0.80× raw ${ratio >= 0.8 ? 'met' : 'MISSED'}`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('exit', resolve))));
  rmSync(dir, { recursive: true, force: true });
}
