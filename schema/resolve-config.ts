/**
 * Inheritance resolution, done once per configuration load.
 *
 * `autoContext` (per field), `cacheControl` (per request kind), `filters` and `inferenceItemMetadata`
 * (whole value) flow root → namespace → recommender → variation; the nearest definition wins. Old
 * spellings are normalised here, relative file paths are made absolute against the configuration's
 * folder, and the request headers each variation reads are collected for cache keys and CDN policies.
 */
import { isAbsolute, resolve } from 'node:path';
import {
  ACTIONS,
  type Action,
  type AutoContextConfig,
  type CacheControlConfig,
  type CacheControlType,
  type Config,
  type ContextFieldConfig,
  type EventTargetConfig,
  type ExperimentConfig,
  type FilterConfig,
  type ItemMetadataConfig,
  type Operator,
  type RecommenderConfig,
  type ResponsePostProcessorConfig,
  type SeasonBoundaries,
  urlPlaceholders,
  type VariationConfig,
} from './config-schema.ts';

export type RuleType = 'header-value' | 'hour-of-day' | 'day-of-week' | 'season';

export interface ValueMapping {
  operator: Operator;
  value: string | number;
  mapTo: string | number;
}

export type Rule =
  | { type: 'header-value'; header: string; valueMappings?: ValueMapping[] }
  | { type: 'hour-of-day' | 'day-of-week'; valueMappings?: ValueMapping[] }
  | { type: 'season'; valueMappings?: ValueMapping[]; seasonBoundaries: SeasonBoundaries };

export interface ContextField extends Omit<ContextFieldConfig, 'rules'> {
  rules: Rule[];
}

export type AutoContext = Record<string, ContextField>;

export interface Filter extends Omit<FilterConfig, 'autoDynamicFilterValues'> {
  autoDynamicFilterValues?: AutoContext;
}

export interface EffectiveCacheControl {
  autoProvision: boolean;
  userSpecified: CacheControlType;
  syntheticUserSpecified: CacheControlType;
  noUserSpecified: CacheControlType;
}

type Inheritable = 'autoContext' | 'filters' | 'cacheControl' | 'inferenceItemMetadata';

/** Variation after resolution: `lambda` is `function`, inherited settings filled in. */
export type ResolvedVariation = VariationConfig extends infer V
  ? V extends { type: infer T }
    ? Omit<V, Inheritable | 'type'> & {
        key: string;
        type: Exclude<T, 'lambda'>;
        autoContext: AutoContext;
        filters: Filter[];
        cacheControl: EffectiveCacheControl;
        inferenceItemMetadata?: ItemMetadataConfig;
        /** Lower-case names of the request headers the variation's context and filter rules read. */
        contextHeaders: string[];
      }
    : never
  : never;

export type VariationType = ResolvedVariation['type'];

export interface ResolvedRecommender {
  key: string;
  action: Action;
  namespace: string;
  name?: string;
  description?: string;
  responsePostProcessor?: ResponsePostProcessorConfig;
  defaultNumResults: number;
  maxNumResults: number;
  /** Experiments in configuration order; the first is the default. */
  experiments: Map<string, ExperimentConfig>;
  /** Variations in configuration order; the first is the default. */
  variations: Map<string, ResolvedVariation>;
  /** Lower-case names of the request headers any of its variations' rules read, sorted (cache keys). */
  contextHeaders: string[];
}

/** Item metadata the project stores itself (`personalize` metadata comes with the recommendations). */
export type StoredItemMetadataConfig = Extract<ItemMetadataConfig, { type: 'localdb' | 'dynamodb' }>;

export interface ResolvedNamespace {
  key: string;
  name?: string;
  description?: string;
  autoContext: AutoContext;
  cacheControl: EffectiveCacheControl;
  inferenceItemMetadata?: ItemMetadataConfig;
  eventTargets: EventTargetConfig[];
  recommenders: Record<Action, Map<string, ResolvedRecommender>>;
  /** Lower-case names of the request headers the namespace's auto-context rules read (events). */
  contextHeaders: string[];
  /**
   * The distinct item-metadata stores the namespace and its recommenders read, one per
   * `itemMetadataStoreId`, the namespace's own first; the first definition of a store wins.
   */
  itemMetadataStores: StoredItemMetadataConfig[];
}

export interface ResolvedConfig {
  /** The configuration's `version`, as a string ('' when absent). */
  version: string;
  /** The validated configuration as written. */
  config: Config;
  /** Folder relative paths were resolved against, when the configuration came from a file. */
  baseDir?: string;
  namespaces: Map<string, ResolvedNamespace>;
  /** Every header any rule reads, lower-case, sorted. */
  contextHeaders: string[];
}

export interface ResolveOptions {
  /** Folder of the configuration file; relative paths in the configuration are resolved against it. */
  baseDir?: string;
}

export const DEFAULT_NUM_RESULTS = 25;
export const DEFAULT_TABLE_PREFIX = 'PersonalizationApiItemMetadata_';
export const DEFAULT_TABLE_KEY = 'id';

/** The DynamoDB table a namespace's `dynamodb` item metadata lives in. */
export function dynamodbTableName(namespace: string, config: { tableNamePrefix?: string }): string {
  return `${config.tableNamePrefix ?? DEFAULT_TABLE_PREFIX}${namespace}`;
}

/**
 * The identity of an item-metadata store: a namespace has one localdb whatever its settings, and one
 * DynamoDB store per table. Undefined for `personalize`, which needs no store.
 *
 * @example
 * itemMetadataStoreId('shop', { type: 'dynamodb' }); // 'dynamodb:PersonalizationApiItemMetadata_shop'
 */
export function itemMetadataStoreId(namespace: string, config: ItemMetadataConfig): string | undefined {
  if (config.type === 'localdb') return `localdb:${namespace}`;
  if (config.type === 'dynamodb') return `dynamodb:${dynamodbTableName(namespace, config)}`;
  return undefined;
}

function distinctStores(namespace: string, configs: Array<ItemMetadataConfig | undefined>): StoredItemMetadataConfig[] {
  const byId = new Map<string, StoredItemMetadataConfig>();
  for (const config of configs) {
    if (config?.type !== 'localdb' && config?.type !== 'dynamodb') continue;
    const id = itemMetadataStoreId(namespace, config)!;
    const kept = byId.get(id);
    if (!kept) byId.set(id, config);
    // The one localdb is built from whichever definition names a source file (semantic checks allow one).
    else if (kept.type === 'localdb' && !kept.sourceFile && config.type === 'localdb' && config.sourceFile) {
      byId.set(id, { ...kept, sourceFile: config.sourceFile });
    }
  }
  return [...byId.values()];
}

const DEFAULT_CACHE_TYPE: CacheControlType = { maxAge: 0, directives: 'private' };

/** Headers CloudFront adds that the time and season rules read. */
export const TIME_ZONE_HEADER = 'cloudfront-viewer-time-zone';
export const LATITUDE_HEADER = 'cloudfront-viewer-latitude';

function normaliseAutoContext(autoContext: AutoContextConfig | undefined): AutoContext | undefined {
  if (!autoContext) return undefined;
  const out: AutoContext = {};
  for (const [field, def] of Object.entries(autoContext)) {
    out[field] = {
      ...def,
      rules: def.rules.map((rule): Rule => {
        const valueMappings = rule.valueMappings?.map((m) => ({
          ...m,
          operator: m.operator === 'start-with' ? 'starts-with' : m.operator,
        }));
        if (rule.type === 'header-value') {
          return { type: 'header-value', header: rule.header.toLowerCase(), valueMappings };
        }
        if (rule.type === 'season' || rule.type === 'season-of-year') {
          return { type: 'season', valueMappings, seasonBoundaries: rule.seasonBoundaries ?? 'solstice' };
        }
        return { type: rule.type, valueMappings };
      }),
    };
  }
  return out;
}

function normaliseFilters(filters: FilterConfig[] | undefined): Filter[] | undefined {
  return filters?.map((f) => ({
    ...f,
    autoDynamicFilterValues: normaliseAutoContext(f.autoDynamicFilterValues),
  }));
}

function mergeCacheControl(parent: EffectiveCacheControl, own: CacheControlConfig | undefined): EffectiveCacheControl {
  if (!own) return parent;
  return {
    autoProvision: own.autoProvision ?? parent.autoProvision,
    userSpecified: own.userSpecified ?? parent.userSpecified,
    syntheticUserSpecified: own.syntheticUserSpecified ?? parent.syntheticUserSpecified,
    noUserSpecified: own.noUserSpecified ?? parent.noUserSpecified,
  };
}

/** Collects the lower-case headers that rules read, adding the time-zone and latitude headers time rules use. */
export function headersReadBy(contexts: Array<AutoContext | undefined>): string[] {
  const headers = new Set<string>();
  for (const ctx of contexts) {
    for (const field of Object.values(ctx ?? {})) {
      for (const rule of field.rules) {
        if (rule.type === 'header-value') headers.add(rule.header);
        else {
          headers.add(TIME_ZONE_HEADER);
          if (rule.type === 'season') headers.add(LATITUDE_HEADER);
        }
      }
    }
  }
  return [...headers].sort();
}

interface Inherited {
  autoContext: AutoContext;
  filters: Filter[];
  cacheControl: EffectiveCacheControl;
  inferenceItemMetadata?: ItemMetadataConfig;
}

function inherit(
  parent: Inherited,
  own: {
    autoContext?: AutoContextConfig;
    filters?: FilterConfig[];
    cacheControl?: CacheControlConfig;
    inferenceItemMetadata?: ItemMetadataConfig;
  },
  absolute: (p: string) => string,
): Inherited {
  const metadata = own.inferenceItemMetadata ?? parent.inferenceItemMetadata;
  return {
    autoContext: { ...parent.autoContext, ...normaliseAutoContext(own.autoContext) },
    filters: normaliseFilters(own.filters) ?? parent.filters,
    cacheControl: mergeCacheControl(parent.cacheControl, own.cacheControl),
    inferenceItemMetadata:
      metadata?.type === 'localdb' && metadata.sourceFile
        ? { ...metadata, sourceFile: absolute(metadata.sourceFile) }
        : metadata,
  };
}

function resolveVariation(
  key: string,
  variation: VariationConfig,
  parent: Inherited,
  absolute: (p: string) => string,
): ResolvedVariation {
  const inherited = inherit(parent, variation, absolute);
  const base = { ...variation, ...inherited, key };
  const contextHeaders = headersReadBy([
    inherited.autoContext,
    ...inherited.filters.map((f) => f.autoDynamicFilterValues),
  ]);
  if (variation.type === 'lambda') return { ...base, type: 'function', contextHeaders } as ResolvedVariation;
  if (variation.type === 'http' && !variation.method) {
    // A URL with placeholders and no method is an old-style GET recommender.
    const method = urlPlaceholders(variation.url).length > 0 ? 'GET' : 'POST';
    return { ...base, type: 'http', method, contextHeaders } as ResolvedVariation;
  }
  if (variation.type === 'builtin' && variation.interactionsFile) {
    return {
      ...base,
      type: 'builtin',
      interactionsFile: absolute(variation.interactionsFile),
      contextHeaders,
    };
  }
  return { ...base, type: variation.type, contextHeaders } as ResolvedVariation;
}

function resolveRecommender(
  namespace: string,
  action: Action,
  key: string,
  rec: RecommenderConfig,
  parent: Inherited,
  absolute: (p: string) => string,
): ResolvedRecommender {
  const inherited = inherit(parent, rec, absolute);
  const variations = new Map<string, ResolvedVariation>();
  for (const [vKey, variation] of Object.entries(rec.variations ?? {})) {
    variations.set(vKey, resolveVariation(vKey, variation, inherited, absolute));
  }
  return {
    key,
    action,
    namespace,
    name: rec.name,
    description: rec.description,
    responsePostProcessor: rec.responsePostProcessor,
    defaultNumResults: rec.defaultNumResults ?? DEFAULT_NUM_RESULTS,
    maxNumResults: rec.maxNumResults ?? 500,
    experiments: new Map(Object.entries(rec.experiments ?? {})),
    variations,
    contextHeaders: [...new Set([...variations.values()].flatMap((v) => v.contextHeaders))].sort(),
  };
}

/**
 * Resolves a schema-valid configuration into the form the data and control planes read.
 *
 * @example
 * const resolved = resolveConfig(config, { baseDir: dirname(file) });
 * resolved.namespaces.get('my-store')?.recommenders['recommend-items'].get('rfy')?.variations
 */
export function resolveConfig(config: Config, options: ResolveOptions = {}): ResolvedConfig {
  const { baseDir } = options;
  const absolute = (p: string) => (baseDir && !isAbsolute(p) ? resolve(baseDir, p) : p);
  const root: Inherited = inherit(
    {
      autoContext: {},
      filters: [],
      cacheControl: {
        autoProvision: true,
        userSpecified: DEFAULT_CACHE_TYPE,
        syntheticUserSpecified: DEFAULT_CACHE_TYPE,
        noUserSpecified: DEFAULT_CACHE_TYPE,
      },
    },
    config,
    absolute,
  );

  const namespaces = new Map<string, ResolvedNamespace>();
  const allHeaders = new Set<string>();
  for (const [nsKey, ns] of Object.entries(config.namespaces)) {
    const inherited = inherit(root, ns, absolute);
    const recommenders = Object.fromEntries(ACTIONS.map((a) => [a, new Map<string, ResolvedRecommender>()])) as Record<
      Action,
      Map<string, ResolvedRecommender>
    >;
    for (const action of ACTIONS) {
      for (const [recKey, rec] of Object.entries(ns.recommenders?.[action] ?? {})) {
        const resolved = resolveRecommender(nsKey, action, recKey, rec, inherited, absolute);
        recommenders[action].set(recKey, resolved);
        for (const h of resolved.contextHeaders) allHeaders.add(h);
      }
    }
    const eventTargets = (ns.eventTargets ?? []).map((t) => (t.type === 'file' ? { ...t, path: absolute(t.path) } : t));
    const contextHeaders = headersReadBy([inherited.autoContext]);
    for (const h of contextHeaders) allHeaders.add(h);
    namespaces.set(nsKey, {
      key: nsKey,
      name: ns.name,
      description: ns.description,
      autoContext: inherited.autoContext,
      cacheControl: inherited.cacheControl,
      inferenceItemMetadata: inherited.inferenceItemMetadata,
      eventTargets,
      recommenders,
      contextHeaders,
      itemMetadataStores: distinctStores(nsKey, [
        inherited.inferenceItemMetadata,
        ...ACTIONS.flatMap((a) =>
          [...recommenders[a].values()].flatMap((r) => [...r.variations.values()].map((v) => v.inferenceItemMetadata)),
        ),
      ]),
    });
  }

  return {
    version: config.version === undefined ? '' : String(config.version),
    config,
    baseDir,
    namespaces,
    contextHeaders: [...allHeaders].sort(),
  };
}

/** Looks a recommender up by action, namespace and key; undefined-safe for any user-supplied strings. */
export function findRecommender(
  resolved: ResolvedConfig,
  action: Action,
  namespace: string,
  recommender: string,
): { namespace?: ResolvedNamespace; recommender?: ResolvedRecommender } {
  const ns = resolved.namespaces.get(namespace);
  return { namespace: ns, recommender: ns?.recommenders[action].get(recommender) };
}
