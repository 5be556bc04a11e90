/**
 * `file`: the batch appended as JSON lines to a local file (relative paths were resolved against the
 * configuration's folder when it was loaded). For running without a cloud account and for tests.
 */
import type { EventTargetConfig } from '../../../schema/config-schema.ts';
import { type EventTarget, jsonLines, type TargetClients, targetName } from './types.ts';

type Config = Extract<EventTargetConfig, { type: 'file' }>;

/**
 * @example
 * const target = fileTarget({ type: 'file', path: '/srv/p13n/data/events.jsonl' }, clients);
 * await target.send(batch);
 */
export function fileTarget(config: Config, clients: TargetClients): EventTarget {
  return {
    name: targetName(config),
    async send(batch) {
      if (batch.records.length === 0) return;
      await clients.files.append(config.path, jsonLines(batch));
    },
  };
}
