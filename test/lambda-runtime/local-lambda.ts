/**
 * A local Lambda runtime that freezes like Lambda. It serves the Lambda Runtime API on 127.0.0.1 and
 * runs `bootstrap.mjs` in a child process with the function's asset, handler and environment, so the
 * child is an ordinary runtime client: it imports the handler (the init phase), then GETs
 * `/runtime/invocation/next` and POSTs each result. When a result is posted the child is stopped with
 * SIGSTOP — before the POST is even answered — and continued with SIGCONT when the next event is
 * handed out: anything the handler left running when it returned does not run in between, as on
 * Lambda. An invocation that outlives the function's timeout kills the child (the next invocation
 * starts a fresh one, a cold start), as Lambda does.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { DataPlaneAsset } from './data-plane-asset.ts';

const BOOTSTRAP = fileURLToPath(new URL('./bootstrap.mjs', import.meta.url));
const RUNTIME = '/2018-06-01/runtime';
const FUNCTION_NAME = 'local-data-plane';

export interface LocalLambdaOptions {
  asset: DataPlaneAsset;
  /** Added to (and overriding) the function's environment: emulator endpoints, credentials, token values. */
  env?: Record<string, string>;
  /** Invocation timeout (default: the function's `Timeout`). */
  timeoutSeconds?: number;
  /** Stop the child between invocations (default true); false only for control experiments. */
  freeze?: boolean;
}

export interface Invocation {
  requestId: string;
  /** From handing the event out to the result being posted. */
  durationMs: number;
  /** The handler's result (an API Gateway / ALB response object). */
  result?: unknown;
  /** What the runtime posted to `/error`, or what Lambda would report for a crash or a timeout. */
  error?: { errorType: string; errorMessage: string };
  timedOut?: boolean;
}

export interface LocalLambda {
  /** The current child's process ID (changes after a timeout's cold start). */
  readonly pid: number;
  /** Init duration of the current child: from spawning it to its first `/next` (Lambda's "Init Duration"). */
  readonly initMs: number;
  /** Cold starts so far. */
  readonly coldStarts: number;
  invoke(event: unknown): Promise<Invocation>;
  /** True while the child is stopped (state `T` in /proc). */
  isFrozen(): boolean;
  /** Everything the children wrote to stdout and stderr, line by line. */
  logs(): string[];
  stop(): Promise<void>;
}

interface Pending {
  id: string;
  event: unknown;
  deliveredAt: number;
  resolve(invocation: Invocation): void;
  timer?: NodeJS.Timeout;
  timedOut?: boolean;
}

/** The process state letter from /proc/PID/stat (`R`, `S`, `T` stopped, `Z`…), or undefined when gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

async function until(probe: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/**
 * The environment Lambda gives the function's process: its reserved variables, the asset's environment and
 * `env` on top. Without `runtimeApi` (no `AWS_LAMBDA_RUNTIME_API`) the data-plane entry starts nothing when
 * imported, so importing it measures module initialisation alone.
 */
export function lambdaEnvironment(
  asset: DataPlaneAsset,
  env: Record<string, string> = {},
  runtimeApi?: string,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EXECUTION_ENV: `AWS_Lambda_${asset.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(asset.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${FUNCTION_NAME}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `local/${randomUUID()}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    ...(runtimeApi ? { AWS_LAMBDA_RUNTIME_API: runtimeApi } : {}),
    LAMBDA_TASK_ROOT: asset.dir,
    _HANDLER: asset.handler,
    ...asset.environment,
    ...env,
  };
}

/**
 * Starts the runtime API and the first child, and resolves when its init phase is over.
 *
 * @example
 * const lambda = await startLocalLambda({ asset: synthDataPlaneAsset(), env: { P13N_STAGING_BUCKET: 'staging' } });
 * const { result } = await lambda.invoke(httpApiEvent({ path: '/recommend-items/shop/top/u1' }));
 * lambda.isFrozen(); // true: nothing runs until the next invoke
 */
export async function startLocalLambda(options: LocalLambdaOptions): Promise<LocalLambda> {
  const { asset } = options;
  const missing = asset.unresolved.filter((name) => options.env?.[name] === undefined);
  if (missing.length > 0) throw new Error(`the function's environment needs values for ${missing.join(', ')}`);
  const timeoutMs = 1000 * (options.timeoutSeconds ?? asset.timeoutSeconds);
  const freeze = options.freeze ?? true;
  const lines: string[] = [];
  let child: ChildProcess | undefined;
  let spawnedAt = 0;
  let initMs = 0;
  let coldStarts = 0;
  let initialised: { resolve(): void; reject(err: Error): void } | undefined;
  let waitingNext: ServerResponse | undefined;
  let queued: Pending | undefined;
  let current: Pending | undefined;
  let frozen = false;
  let chain: Promise<unknown> = Promise.resolve();

  const deliver = (pending: Pending, res: ServerResponse) => {
    current = pending;
    queued = undefined;
    pending.deliveredAt = performance.now();
    res.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': pending.id,
      'lambda-runtime-deadline-ms': String(Date.now() + timeoutMs),
      'lambda-runtime-invoked-function-arn': `arn:aws:lambda:us-east-1:123456789012:function:${FUNCTION_NAME}`,
      'lambda-runtime-trace-id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)};Sampled=0`,
    });
    res.end(JSON.stringify(pending.event));
    pending.timer = setTimeout(() => {
      if (current !== pending) return;
      // Reported once the child is gone (the exit handler), so the caller never sees it alive.
      pending.timedOut = true;
      child?.kill('SIGKILL');
    }, timeoutMs);
  };

  const finish = (outcome: Omit<Invocation, 'requestId' | 'durationMs'>) => {
    const pending = current;
    if (!pending) return;
    current = undefined;
    clearTimeout(pending.timer);
    pending.resolve({ requestId: pending.id, durationMs: performance.now() - pending.deliveredAt, ...outcome });
  };

  const freezeChild = async () => {
    if (!freeze || !child?.pid) return;
    const pid = child.pid;
    process.kill(pid, 'SIGSTOP');
    frozen = true;
    await until(() => processState(pid) === 'T', 'the child to stop', 2000);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '';
      if (req.method === 'GET' && url === `${RUNTIME}/invocation/next`) {
        if (initialised) {
          initMs = performance.now() - spawnedAt;
          initialised.resolve();
          initialised = undefined;
        }
        if (queued) deliver(queued, res);
        else waitingNext = res;
        return;
      }
      const body = await readBody(req);
      const posted = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      if (req.method === 'POST' && posted) {
        if (posted[1] !== current?.id) {
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"errorType":"InvalidRequestID"}');
          return;
        }
        await freezeChild();
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
        const parsed = body ? JSON.parse(body) : null;
        finish(posted[2] === 'response' ? { result: parsed } : { error: parsed });
        return;
      }
      if (req.method === 'POST' && url === `${RUNTIME}/init/error`) {
        res.writeHead(202).end();
        const error = JSON.parse(body) as { errorType: string; errorMessage: string };
        initialised?.reject(new Error(`init failed: ${error.errorType}: ${error.errorMessage}\n${lines.join('\n')}`));
        initialised = undefined;
        return;
      }
      res.writeHead(404).end();
    })();
  });
  // The runtime's connection idles while the child is frozen, for as long as a test likes: never time it out.
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const spawnChild = async () => {
    frozen = false;
    coldStarts++;
    spawnedAt = performance.now();
    const ready = new Promise<void>((resolve, reject) => {
      initialised = { resolve, reject };
    });
    const started = spawn(process.execPath, [BOOTSTRAP], {
      cwd: asset.dir,
      env: lambdaEnvironment(asset, options.env, `127.0.0.1:${port}`),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    for (const stream of [started.stdout!, started.stderr!]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop() ?? '';
        lines.push(...parts);
      });
    }
    started.on('exit', (code, signal) => {
      if (child !== started) return;
      child = undefined;
      waitingNext = undefined;
      initialised?.reject(new Error(`the runtime exited during init (${signal ?? code})\n${lines.join('\n')}`));
      initialised = undefined;
      finish(
        current?.timedOut
          ? {
              timedOut: true,
              error: {
                errorType: 'Sandbox.Timedout',
                errorMessage: `Task timed out after ${timeoutMs / 1000} seconds`,
              },
            }
          : { error: { errorType: 'Runtime.ExitError', errorMessage: `exited (${signal ?? code})` } },
      );
    });
    await ready;
  };

  await spawnChild();

  const invokeNow = async (event: unknown): Promise<Invocation> => {
    if (!child) await spawnChild();
    const result = new Promise<Invocation>((resolve) => {
      const pending: Pending = { id: randomUUID(), event, deliveredAt: 0, resolve };
      if (waitingNext) {
        const res = waitingNext;
        waitingNext = undefined;
        deliver(pending, res);
      } else {
        queued = pending;
      }
    });
    if (frozen && child?.pid) {
      frozen = false;
      process.kill(child.pid, 'SIGCONT');
    }
    return result;
  };

  return {
    get pid() {
      if (!child?.pid) throw new Error('no runtime process');
      return child.pid;
    },
    get initMs() {
      return initMs;
    },
    get coldStarts() {
      return coldStarts;
    },
    invoke(event) {
      const next = chain.then(() => invokeNow(event));
      chain = next.catch(() => undefined);
      return next;
    },
    isFrozen: () => (child?.pid ? processState(child.pid) === 'T' : false),
    logs: () => [...lines],
    async stop() {
      const running = child;
      child = undefined;
      if (running?.pid) {
        const exited = new Promise((resolve) => running.once('exit', resolve));
        running.kill('SIGKILL');
        await exited;
      }
      waitingNext?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
