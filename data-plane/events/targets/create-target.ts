/**
 * Builds the target a configuration entry describes. Targets are cheap (they hold a config and the
 * shared clients), so the route builds them per namespace when the configuration is loaded. The AWS
 * targets' modules and SDK clients load on demand — when a configuration using them is prepared
 * (`load`), or at their first `send` — so a deployment never loads the clients it does not use.
 */
import type { EventTargetConfig } from '../../../schema/config-schema.ts';
import { onDemandCall } from '../../../shared/on-demand.ts';
import { builtinTarget } from './builtin.ts';
import { fileTarget } from './file.ts';
import { type EventTarget, type TargetClients, targetName } from './types.ts';

type AwsTargetConfig = Exclude<EventTargetConfig, { type: 'file' | 'builtin' }>;

/** Each AWS target type's module and the client it sends with. */
const AWS_TARGETS: {
  [T in AwsTargetConfig['type']]: {
    client: Parameters<NonNullable<TargetClients['load']>>[0];
    load: () => Promise<(config: Extract<AwsTargetConfig, { type: T }>, clients: TargetClients) => EventTarget>;
  };
} = {
  'personalize-event-tracker': {
    client: 'personalizeEvents',
    load: async () => (await import('./personalize-event-tracker.ts')).personalizeEventTrackerTarget,
  },
  'kinesis-stream': {
    client: 'kinesis',
    load: async () => (await import('./kinesis-stream.ts')).kinesisStreamTarget,
  },
  'kinesis-firehose': {
    client: 'firehose',
    load: async () => (await import('./kinesis-firehose.ts')).kinesisFirehoseTarget,
  },
  eventbridge: { client: 'eventBridge', load: async () => (await import('./eventbridge.ts')).eventBridgeTarget },
};

function onDemandTarget<T extends AwsTargetConfig['type']>(
  config: Extract<AwsTargetConfig, { type: T }>,
  clients: TargetClients,
): EventTarget {
  const { client, load } = AWS_TARGETS[config.type as T];
  const send = onDemandCall(async () => {
    const [create] = await Promise.all([load(), clients.load?.(client)]);
    const target = create(config, clients);
    return (batch: Parameters<EventTarget['send']>[0], signal?: AbortSignal) => target.send(batch, signal);
  });
  return { name: targetName(config), send, load: send.load };
}

/**
 * @example
 * const targets = namespace.eventTargets.map((config) => createTarget(config, clients));
 */
export function createTarget(config: EventTargetConfig, clients: TargetClients): EventTarget {
  switch (config.type) {
    case 'file':
      return fileTarget(config, clients);
    case 'builtin':
      return builtinTarget(config, clients);
    default:
      return onDemandTarget(config, clients);
  }
}
