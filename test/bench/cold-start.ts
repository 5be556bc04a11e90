/**
 * Lambda cold start, measured on the artefact Lambda runs: the data-plane asset the CDK app builds
 * (test/lambda-runtime/data-plane-asset.ts synthesises the real construct), started again and again
 * by the local Lambda runtime with an S3-synced localdb (the 2,000-item sample catalogue, in s3rver)
 * and its configuration from a local AppConfig agent. Init is Lambda's "Init Duration": from spawning
 * the runtime to its first `/runtime/invocation/next`, so it holds Node's start, module evaluation and
 * whatever the entry prepares before serving (the bounded first sync of the store). Prints one line:
 * bundle size, init median and max, the first invocation's median, and how many first answers were
 * decorated. Run with `npm run bench:cold-start` (BENCH_RUNS, default 9).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAppConfigAgent } from '../helpers/appconfig-agent.ts';
import { apiResponse, httpApiEvent } from '../lambda-runtime/api-gateway-events.ts';
import { ASSET_APPCONFIG, synthDataPlaneAsset } from '../lambda-runtime/data-plane-asset.ts';
import { catalogue, type Item, startLambdaEmulators } from '../lambda-runtime/emulators.ts';
import { startLocalLambda } from '../lambda-runtime/local-lambda.ts';

// The SDK's Node 22 notice is noise in a figure-printing script.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const MAX_BYTES = 1.5 * 1024 * 1024;
const SAMPLE_ITEMS = fileURLToPath(new URL('../../samples/local/items.jsonl', import.meta.url));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const asset = synthDataPlaneAsset();
const bytes = statSync(join(asset.dir, 'index.mjs')).size;
const emulators = await startLambdaEmulators();
const items: Item[] = [
  ...readFileSync(SAMPLE_ITEMS, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Item),
  ...catalogue(25, 'Bench item'),
];
await emulators.publishLocaldb('retail', items);
const agent = await startAppConfigAgent(ASSET_APPCONFIG, {
  version: 'bench',
  namespaces: {
    retail: {
      inferenceItemMetadata: { type: 'localdb' },
      recommenders: {
        'recommend-items': {
          top: { variations: { http: { type: 'http', url: `${emulators.recommender.url}/recs` } } },
        },
      },
    },
  },
});
const inits: number[] = [];
const firsts: number[] = [];
let decorated = 0;
try {
  for (let i = 0; i < RUNS; i++) {
    const lambda = await startLocalLambda({
      asset,
      env: emulators.lambdaEnv({ AWS_APPCONFIG_EXTENSION_HTTP_PORT: String(agent.port) }),
    });
    try {
      inits.push(lambda.initMs);
      const first = await lambda.invoke(httpApiEvent({ path: `/recommend-items/retail/top/u${i}` }));
      firsts.push(first.durationMs);
      const body = JSON.parse(apiResponse(first.result).body) as { itemList: Array<{ metadata?: unknown }> };
      if (body.itemList.length > 0 && body.itemList.every((item) => item.metadata)) decorated++;
    } finally {
      await lambda.stop();
    }
  }
} finally {
  await agent.stop();
  await emulators.stop();
}
console.log(
  `cold start (CDK-built data-plane asset under the local Lambda runtime, S3-synced localdb of ${items.length} items): ` +
    `bundle ${(bytes / 1024 / 1024).toFixed(2)} MB (target < 1.5 MB ${bytes < MAX_BYTES ? 'met' : 'MISSED'}) · ` +
    `init median ${median(inits).toFixed(0)} ms, max ${Math.max(...inits).toFixed(0)} ms of ${RUNS} · ` +
    `first invocation median ${median(firsts).toFixed(0)} ms · first answer decorated in ${decorated} of ${RUNS}`,
);
