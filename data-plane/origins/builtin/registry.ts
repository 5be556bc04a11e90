/**
 * Owns the embedded recommender's models for the running configuration: trains each once, shares it
 * between the variations that read the same interactions file with the same algorithm in a
 * namespace, feeds it the namespace's events, and keeps it across configuration reloads as long as
 * its file is unchanged — retraining would throw away what it learned online.
 */

import { statSync } from 'node:fs';
import type { ResolvedConfig, ResolvedVariation } from '../../../schema/resolve-config.ts';
import type { Logger } from '../../../shared/logger.ts';
import { type Algorithm, type LearnEvent, type Model, trainModel } from './model.ts';

type BuiltinVariation = Extract<ResolvedVariation, { type: 'builtin' }>;

export interface BuiltinModels {
  /** The trained model of a builtin variation (trained now if `prepare` has not). */
  get(namespace: string, variation: ResolvedVariation): Promise<Model>;
  /** The model of a builtin variation if it is trained already, else undefined (nothing is started). */
  trained(namespace: string, variation: ResolvedVariation): Model | undefined;
  /**
   * Trains every builtin variation's model of a configuration (rejects when one cannot be trained, an
   * unreadable interactions file say); models of an unchanged file are kept.
   */
  prepare(resolved: ResolvedConfig): Promise<void>;
  /** Drops the models no variation of `resolved` uses (once it serves). */
  retain(resolved: ResolvedConfig): Promise<void>;
  /**
   * Feeds events to every builtin model of the namespace (also to models still training). Items a
   * model does not know are learned only when the namespace's catalogue has them (or the variation
   * sets `learnNewItems`).
   */
  learn(namespace: string, events: readonly LearnEvent[]): Promise<void>;
}

export interface BuiltinModelsOptions {
  logger?: Logger;
  /** Which of these item IDs the namespace's catalogue (item-metadata store) holds. */
  catalogue?: (namespace: string, itemIds: readonly string[]) => Promise<ReadonlySet<string>>;
}

interface Entry {
  namespace: string;
  /** Size and modification time of the file when training started ('' without a file). */
  stamp: string;
  promise: Promise<Model>;
  model?: Model;
}

function builtinVariation(variation: ResolvedVariation): BuiltinVariation {
  if (variation.type !== 'builtin') throw new TypeError(`variation '${variation.key}' is not a builtin variation`);
  return variation;
}

function keyOf(namespace: string, variation: BuiltinVariation): string {
  const algorithm: Algorithm = variation.algorithm ?? 'cooccurrence';
  return JSON.stringify([
    namespace,
    variation.interactionsFile ?? '',
    algorithm,
    variation.learnNewItems ?? false,
    variation.maxUsers ?? 0,
  ]);
}

/** Synchronous on purpose: a few stats per configuration load, and entries exist before any event can miss them. */
function stampOf(file: string | undefined): string {
  if (file === undefined) return '';
  try {
    const info = statSync(file);
    return `${info.size}:${info.mtimeMs}`;
  } catch {
    // Training reports the unreadable file.
    return 'missing';
  }
}

/** The models a configuration's builtin variations need, by registry key. */
function wantedModels(resolved: ResolvedConfig): Map<string, { namespace: string; variation: BuiltinVariation }> {
  const wanted = new Map<string, { namespace: string; variation: BuiltinVariation }>();
  for (const [namespace, ns] of resolved.namespaces) {
    for (const byKey of Object.values(ns.recommenders)) {
      for (const recommender of byKey.values()) {
        for (const variation of recommender.variations.values()) {
          if (variation.type === 'builtin') wanted.set(keyOf(namespace, variation), { namespace, variation });
        }
      }
    }
  }
  return wanted;
}

/**
 * Creates the model registry the builtin resolver and the builtin event target share.
 *
 * @example
 * const models = createBuiltinModels({ logger });
 * await models.prepare(resolvedConfig);          // at start-up and after each configuration reload
 * const resolver = createBuiltinResolver(models);
 * models.learn('retail', [{ userId: 'user-1', itemId: 'abc', eventType: 'View' }]);
 */
export function createBuiltinModels(options: BuiltinModelsOptions = {}): BuiltinModels {
  const { logger, catalogue } = options;
  const entries = new Map<string, Entry>();

  function train(key: string, namespace: string, variation: BuiltinVariation, stamp: string): Entry {
    const algorithm = variation.algorithm ?? 'cooccurrence';
    const file = variation.interactionsFile;
    const entry: Entry = {
      namespace,
      stamp,
      promise: trainModel(file, {
        algorithm,
        learnNewItems: variation.learnNewItems,
        ...(variation.maxUsers ? { maxUsers: variation.maxUsers } : {}),
      }).then(({ model, report }) => {
        entry.model = model;
        const { skippedLines, ...figures } = report;
        logger?.info('builtin model trained', {
          namespace,
          algorithm,
          file,
          ...figures,
          durationMs: Math.round(report.durationMs),
        });
        if (report.skipped > 0) {
          logger?.warn('builtin model: malformed interaction lines skipped', {
            file,
            skipped: report.skipped,
            lines: skippedLines.map((s) => `${s.line}: ${s.reason}`),
          });
        }
        return model;
      }),
    };
    // A failed training is reported to whoever awaits it and retried by the next get or prepare.
    entry.promise.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
    entries.set(key, entry);
    return entry;
  }

  return {
    get(namespace, variation) {
      const builtin = builtinVariation(variation);
      const key = keyOf(namespace, builtin);
      const entry = entries.get(key) ?? train(key, namespace, builtin, stampOf(builtin.interactionsFile));
      return entry.promise;
    },

    trained(namespace, variation) {
      return entries.get(keyOf(namespace, builtinVariation(variation)))?.model;
    },

    async prepare(resolved) {
      const trainings: Promise<Model>[] = [];
      for (const [key, { namespace, variation }] of wantedModels(resolved)) {
        const stamp = stampOf(variation.interactionsFile);
        const existing = entries.get(key);
        if (existing && existing.stamp === stamp) {
          trainings.push(existing.promise);
          continue;
        }
        if (existing) logger?.info('builtin model: interactions file changed, retraining', { namespace, key });
        trainings.push(train(key, namespace, variation, stamp).promise);
      }
      await Promise.all(trainings);
    },

    async retain(resolved) {
      const wanted = wantedModels(resolved);
      for (const key of [...entries.keys()]) if (!wanted.has(key)) entries.delete(key);
    },

    async learn(namespace, events) {
      const models = [...entries.values()].filter((entry) => entry.namespace === namespace);
      if (events.length === 0 || models.length === 0) return;
      let newItems: ReadonlySet<string> | undefined;
      const unknown = [...new Set(events.map((e) => e.itemId))].filter((id) =>
        models.some((entry) => !entry.model?.has(id)),
      );
      if (catalogue && unknown.length > 0) {
        try {
          newItems = await catalogue(namespace, unknown);
        } catch (err) {
          logger?.warn('builtin model: the catalogue could not be read; events for new items are not learned', {
            namespace,
            error: (err as Error).message,
          });
        }
      }
      for (const entry of models) {
        if (entry.model) entry.model.learn(events, { newItems });
        else
          entry.promise.then(
            (model) => model.learn(events, { newItems }),
            () => {},
          );
      }
    },
  };
}
