/** Lambda entry of the connectors state machine's `prepareJob` step (see cloud-steps.ts). */
import { parseInput } from '../../control-plane/parse-input.ts';
import { startInputSchema } from '../../state-machines/connectors-payload.ts';
import { type CloudDeps, prepareJob } from '../cloud-steps.ts';
import { cloudDepsFromEnv } from './cloud-deps.ts';

let deps: CloudDeps | undefined;

export async function handler(event: unknown) {
  deps ??= cloudDepsFromEnv('prepare-job');
  return prepareJob(parseInput(startInputSchema, event, 'execution input'), deps);
}
