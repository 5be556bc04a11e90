/**
 * `builtin`: feeds the namespace's embedded recommenders, so the next recommendations reflect the
 * interactions just posted. Only events naming both a user and an item teach the model anything;
 * exposures and conversions are left out.
 */
import type { EventTargetConfig } from '../../../schema/config-schema.ts';
import type { LearnEvent } from '../../origins/builtin/model.ts';
import type { EventRecord } from '../records.ts';
import { type EventTarget, type TargetClients, targetName } from './types.ts';

type Config = Extract<EventTargetConfig, { type: 'builtin' }>;

/**
 * @example
 * const target = builtinTarget({ type: 'builtin' }, { ...clients, learn: models.learn });
 * await target.send(batch);
 */
export function builtinTarget(config: Config, clients: TargetClients): EventTarget {
  return {
    name: targetName(config),
    async send(batch) {
      if (!clients.learn) throw new Error('this deployment has no embedded recommender to feed');
      const events = batch.records.filter(
        (r): r is EventRecord & { userId: string; itemId: string } =>
          r.kind === 'event' && r.userId !== undefined && r.itemId !== undefined,
      );
      if (events.length === 0) return;
      const learnEvents: LearnEvent[] = events.map((e) => ({
        userId: e.userId,
        itemId: e.itemId,
        eventType: e.eventType,
        timestamp: Date.parse(e.sentAt) / 1000,
      }));
      await clients.learn(batch.namespace, learnEvents);
    },
  };
}
