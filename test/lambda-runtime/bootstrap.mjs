/**
 * The runtime client of the local Lambda runtime, run as the child process: what a Lambda Node.js
 * runtime does, over the Runtime API at `AWS_LAMBDA_RUNTIME_API`. It imports the handler module named
 * by `_HANDLER` from `LAMBDA_TASK_ROOT` (module initialisation is the init phase), reports an init
 * failure to `/runtime/init/error`, then loops: GET `/runtime/invocation/next`, call the handler with
 * the event and a context whose remaining time follows `Lambda-Runtime-Deadline-Ms`, POST the result
 * to `/response` or the error to `/error`. Plain JavaScript so it runs as is under any Node version.
 */
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const base = '/2018-06-01/runtime';

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const [host, port] = api.split(':');
    const req = request(
      {
        host,
        port: Number(port),
        method,
        path: `${base}${path}`,
        agent,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function errorBody(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  return JSON.stringify({ errorType: e.name, errorMessage: e.message, stackTrace: (e.stack ?? '').split('\n') });
}

const [moduleName, exportName] = (process.env._HANDLER ?? 'index.handler').split('.');
let handler;
try {
  const module = await import(pathToFileURL(join(process.env.LAMBDA_TASK_ROOT ?? '.', `${moduleName}.mjs`)).href);
  handler = module[exportName];
  if (typeof handler !== 'function') throw new TypeError(`${moduleName}.${exportName} is not a function`);
} catch (err) {
  await call('POST', '/init/error', errorBody(err));
  process.exit(1);
}

for (;;) {
  const next = await call('GET', '/invocation/next');
  const id = next.headers['lambda-runtime-aws-request-id'];
  const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
  process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'] ?? '';
  const context = {
    awsRequestId: id,
    invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let result;
  try {
    result = await handler(JSON.parse(next.body), context);
  } catch (err) {
    await call('POST', `/invocation/${id}/error`, errorBody(err));
    continue;
  }
  await call('POST', `/invocation/${id}/response`, JSON.stringify(result ?? null));
}
