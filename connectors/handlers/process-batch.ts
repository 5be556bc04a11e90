/** Lambda entry of the connectors state machine's `processBatch` step (see cloud-steps.ts). */
import { parseInput } from '../../control-plane/parse-input.ts';
import { workerBatchSchema } from '../../state-machines/connectors-payload.ts';
import { type CloudDeps, processBatch } from '../cloud-steps.ts';
import { cloudDepsFromEnv } from './cloud-deps.ts';

let deps: CloudDeps | undefined;

export async function handler(event: unknown) {
  deps ??= cloudDepsFromEnv('process-batch');
  return processBatch(parseInput(workerBatchSchema, event, 'Map batch'), deps);
}
