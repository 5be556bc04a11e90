/**
 * Which configured recommender answers for a Personalize ARN in the compatible API: every ARN of a
 * `personalize-campaign`/`personalize-recommender` variation, and every `arnAliases` entry of a
 * recommender (so an embedded, HTTP or Lambda recommender can stand behind an ARN an app already
 * calls). Built once per loaded configuration; the request then runs through that recommender as a
 * whole (experiments, filters, fallback), not through the one variation the ARN names.
 */
import type { Action } from '../../schema/config-schema.ts';
import type { ResolvedConfig, ResolvedNamespace, ResolvedRecommender } from '../../schema/resolve-config.ts';

export interface ArnTarget {
  namespace: ResolvedNamespace;
  recommender: ResolvedRecommender;
}

/** ARN → the recommender of each action that answers for it (aliases win over variation ARNs). */
export type ArnIndex = Map<string, Partial<Record<Action, ArnTarget>>>;

const indexes = new WeakMap<ResolvedConfig, ArnIndex>();

function buildIndex(config: ResolvedConfig): ArnIndex {
  const index: ArnIndex = new Map();
  const add = (arn: string, target: ArnTarget, replace: boolean) => {
    const byAction = index.get(arn) ?? {};
    if (replace || !byAction[target.recommender.action]) byAction[target.recommender.action] = target;
    index.set(arn, byAction);
  };
  for (const namespace of config.namespaces.values()) {
    for (const recommenders of Object.values(namespace.recommenders)) {
      for (const recommender of recommenders.values()) {
        const raw = config.config.namespaces[namespace.key]?.recommenders?.[recommender.action]?.[recommender.key];
        for (const alias of raw?.arnAliases ?? []) add(alias, { namespace, recommender }, true);
        for (const variation of recommender.variations.values()) {
          if ('arn' in variation && variation.type.startsWith('personalize-')) {
            add(variation.arn, { namespace, recommender }, false);
          }
        }
      }
    }
  }
  return index;
}

/**
 * @example
 * arnTargets(config, 'arn:aws:personalize:eu-west-1:123456789012:campaign/home')
 * // → { 'recommend-items': { namespace, recommender } }
 */
export function arnTargets(config: ResolvedConfig, arn: string): Partial<Record<Action, ArnTarget>> | undefined {
  let index = indexes.get(config);
  if (!index) {
    index = buildIndex(config);
    indexes.set(config, index);
  }
  return index.get(arn);
}

/** The namespace a PutEvents `trackingId` belongs to: its `personalize-event-tracker` target, else its key. */
export function namespaceOfTrackingId(config: ResolvedConfig, trackingId: string): ResolvedNamespace | undefined {
  for (const namespace of config.namespaces.values()) {
    if (namespace.eventTargets.some((t) => t.type === 'personalize-event-tracker' && t.trackingId === trackingId)) {
      return namespace;
    }
  }
  const byKey = config.namespaces.get(trackingId);
  return byKey && byKey.eventTargets.length > 0 ? byKey : undefined;
}

/**
 * The namespace a PutItems/PutUsers `datasetArn` belongs to: one listing it in `datasetArns`, else the
 * one named like the ARN's dataset group (`…:dataset/{datasetGroup}/ITEMS`).
 */
export function namespaceOfDatasetArn(config: ResolvedConfig, datasetArn: string): ResolvedNamespace | undefined {
  for (const namespace of config.namespaces.values()) {
    if (config.config.namespaces[namespace.key]?.datasetArns?.includes(datasetArn)) return namespace;
  }
  const group = /:dataset\/([^/]+)\/[A-Z_]+$/.exec(datasetArn)?.[1];
  return group ? config.namespaces.get(group) : undefined;
}
