/**
 * The destinations by connector name: the record formatter the pipeline needs, and the sender the
 * delivery needs once credentials are known.
 */
import type { JobConfig } from '../job-config.ts';
import { brazeFormatter } from './braze.ts';
import type { RecordFormatter } from './types.ts';
import { webhookFormatter } from './webhook.ts';

/** The formatter of every connector the job declares. */
export function formattersFor(config: JobConfig): RecordFormatter[] {
  const out: RecordFormatter[] = [];
  if (config.connectors.braze) out.push(brazeFormatter(config.connectors.braze));
  if (config.connectors.webhook) out.push(webhookFormatter(config.connectors.webhook));
  return out;
}
