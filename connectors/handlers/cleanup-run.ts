/** Lambda entry of the connectors state machine's `cleanupRun` step (see cloud-steps.ts). */
import { parseInput } from '../../control-plane/parse-input.ts';
import { preparedJobSchema } from '../../state-machines/connectors-payload.ts';
import { type CloudDeps, cleanupRun } from '../cloud-steps.ts';
import { cloudDepsFromEnv } from './cloud-deps.ts';

let deps: CloudDeps | undefined;

export async function handler(event: unknown) {
  deps ??= cloudDepsFromEnv('cleanup-run');
  return cleanupRun(parseInput(preparedJobSchema, event, 'prepared job'), deps);
}
