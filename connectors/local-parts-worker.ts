/** Worker-thread entry of a local run's share of part files (see local-parts.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { type PartsSpec, processLocalParts, sendError } from './local-parts.ts';

try {
  parentPort?.postMessage({ result: await processLocalParts(workerData as PartsSpec) });
} catch (err) {
  parentPort?.postMessage({ error: sendError(err) });
}
