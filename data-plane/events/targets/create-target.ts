/**
 * Builds the target a configuration entry describes. Targets are cheap (they hold a config and the
 * shared clients), so the route builds them per namespace when the configuration is loaded.
 */
import type { EventTargetConfig } from '../../../schema/config-schema.ts';
import { builtinTarget } from './builtin.ts';
import { eventBridgeTarget } from './eventbridge.ts';
import { fileTarget } from './file.ts';
import { kinesisFirehoseTarget } from './kinesis-firehose.ts';
import { kinesisStreamTarget } from './kinesis-stream.ts';
import { personalizeEventTrackerTarget } from './personalize-event-tracker.ts';
import type { EventTarget, TargetClients } from './types.ts';

/**
 * @example
 * const targets = namespace.eventTargets.map((config) => createTarget(config, clients));
 */
export function createTarget(config: EventTargetConfig, clients: TargetClients): EventTarget {
  switch (config.type) {
    case 'personalize-event-tracker':
      return personalizeEventTrackerTarget(config, clients);
    case 'kinesis-stream':
      return kinesisStreamTarget(config, clients);
    case 'kinesis-firehose':
      return kinesisFirehoseTarget(config, clients);
    case 'eventbridge':
      return eventBridgeTarget(config, clients);
    case 'file':
      return fileTarget(config, clients);
    case 'builtin':
      return builtinTarget(config, clients);
  }
}
