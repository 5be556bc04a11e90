/**
 * The event targets of a namespace, built once per loaded configuration: a new configuration brings
 * new namespace objects, so the cache (keyed weakly by namespace) follows reloads by itself.
 */
import type { ResolvedNamespace } from '../../schema/resolve-config.ts';
import { createTarget } from './targets/create-target.ts';
import type { EventTarget, TargetClients } from './targets/types.ts';

export type TargetsFor = (namespace: ResolvedNamespace) => readonly EventTarget[];

/**
 * @example
 * const targetsFor = namespaceTargets(clients);
 * await fanOut(targetsFor(namespace), batch, { logger });
 */
export function namespaceTargets(clients: TargetClients): TargetsFor {
  const cache = new WeakMap<ResolvedNamespace, readonly EventTarget[]>();
  return (namespace) => {
    let targets = cache.get(namespace);
    if (!targets) {
      targets = namespace.eventTargets.map((config) => createTarget(config, clients));
      cache.set(namespace, targets);
    }
    return targets;
  };
}
