/** Lambda entry of the connectors state machine's `commitBatch` step (see cloud-steps.ts). */
import { parseInput } from '../../control-plane/parse-input.ts';
import { workerBatchSchema } from '../../state-machines/connectors-payload.ts';
import { type CloudDeps, commitBatch } from '../cloud-steps.ts';
import { cloudDepsFromEnv } from './cloud-deps.ts';

let deps: CloudDeps | undefined;

export async function handler(event: unknown) {
  deps ??= cloudDepsFromEnv('commit-batch');
  return commitBatch(parseInput(workerBatchSchema, event, 'Map batch'), deps);
}
