/**
 * Checks a schema-valid configuration for problems its shape cannot express: experiments naming
 * variations that do not exist, weights that do not add up, ARNs of the wrong service or type,
 * PROVISIONED tables without throughput, fallbacks that loop, and so on. Every issue carries the path
 * of the offending value.
 */
import { arnProblem } from './arn.ts';
import {
  ACTIONS,
  type AutoContextConfig,
  type Config,
  type FilterConfig,
  type ItemMetadataConfig,
  MAX_NUM_RESULTS,
  type RecommenderConfig,
  URL_PLACEHOLDERS,
  urlPlaceholders,
} from './config-schema.ts';

export type PathSegment = string | number;

export interface ConfigIssue {
  path: PathSegment[];
  message: string;
}

export interface SemanticReport {
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

const TIME_RANGES: Record<string, [number, number]> = {
  'hour-of-day': [0, 23],
  'day-of-week': [0, 6],
  season: [0, 3],
  'season-of-year': [0, 3],
};

const NUMERIC_TYPES = new Set(['integer', 'long', 'float']);

export function semanticChecks(config: Config): SemanticReport {
  const errors: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const error = (path: PathSegment[], message: string) => errors.push({ path, message });
  const warn = (path: PathSegment[], message: string) => warnings.push({ path, message });

  const checkAutoContext = (ctx: AutoContextConfig | undefined, path: PathSegment[]) => {
    for (const [field, def] of Object.entries(ctx ?? {})) {
      const fieldPath = [...path, field];
      if (def.default !== undefined && NUMERIC_TYPES.has(def.type) && typeof def.default !== 'number') {
        error([...fieldPath, 'default'], `default must be a number for a field of type '${def.type}'`);
      }
      if (def.type === 'integer' || def.type === 'long') {
        if (typeof def.default === 'number' && !Number.isInteger(def.default)) {
          error([...fieldPath, 'default'], `default must be a whole number for a field of type '${def.type}'`);
        }
      }
      if (def.rules.length === 0 && def.default === undefined) {
        warn([...fieldPath, 'rules'], 'no rules and no default: the field is never set');
      }
      def.rules.forEach((rule, i) => {
        const rulePath = [...fieldPath, 'rules', i];
        if (rule.type === 'header-value' && rule.header !== rule.header.toLowerCase()) {
          error([...rulePath, 'header'], `header names must be lower-case; use '${rule.header.toLowerCase()}'`);
        }
        const range = TIME_RANGES[rule.type];
        rule.valueMappings?.forEach((m, j) => {
          const mPath = [...rulePath, 'valueMappings', j];
          if ((m.operator === 'less-than' || m.operator === 'greater-than') && typeof m.value !== 'number') {
            if (Number.isNaN(Number(m.value)) || m.value === '') {
              error([...mPath, 'value'], `operator '${m.operator}' needs a numeric value`);
            }
          }
          if (range && m.operator === 'equals') {
            const n = Number(m.value);
            if (!Number.isInteger(n) || n < range[0] || n > range[1]) {
              error([...mPath, 'value'], `${rule.type} values run from ${range[0]} to ${range[1]}`);
            }
          }
          if (NUMERIC_TYPES.has(def.type) && typeof m.mapTo !== 'number' && Number.isNaN(Number(m.mapTo))) {
            error([...mPath, 'mapTo'], `mapTo must be a number for a field of type '${def.type}'`);
          }
        });
      });
    }
  };

  const checkFilters = (filters: FilterConfig[] | undefined, path: PathSegment[]) => {
    filters?.forEach((f, i) => {
      const problem = arnProblem(f.arn, 'personalize', ['filter']);
      if (problem) error([...path, i, 'arn'], problem);
      checkAutoContext(f.autoDynamicFilterValues, [...path, i, 'autoDynamicFilterValues']);
    });
  };

  const checkMetadata = (m: ItemMetadataConfig | undefined, path: PathSegment[]) => {
    if (m?.type !== 'dynamodb') return;
    if (m.billingMode === 'PROVISIONED' && !m.provisionedThroughput) {
      error([...path, 'provisionedThroughput'], "billingMode 'PROVISIONED' needs provisionedThroughput");
    }
    if (m.billingMode !== 'PROVISIONED' && m.provisionedThroughput) {
      warn([...path, 'provisionedThroughput'], 'ignored unless billingMode is PROVISIONED');
    }
  };

  const checkInheritable = (
    node: {
      autoContext?: AutoContextConfig;
      filters?: FilterConfig[];
      inferenceItemMetadata?: ItemMetadataConfig;
    },
    path: PathSegment[],
  ) => {
    checkAutoContext(node.autoContext, [...path, 'autoContext']);
    checkFilters(node.filters, [...path, 'filters']);
    checkMetadata(node.inferenceItemMetadata, [...path, 'inferenceItemMetadata']);
  };

  const checkRecommender = (rec: RecommenderConfig, path: PathSegment[]) => {
    checkInheritable(rec, path);
    const variations = rec.variations ?? {};
    const keys = Object.keys(variations);
    if (keys.length === 0) {
      warn([...path, 'variations'], 'no variations: requests to this recommender answer 404 RecommenderNotConfigured');
    }
    const hasPersonalize = Object.values(variations).some((v) => v.type.startsWith('personalize-'));

    for (const [vKey, v] of Object.entries(variations)) {
      const vPath = [...path, 'variations', vKey];
      checkInheritable(v, vPath);
      if (v.type === 'personalize-campaign' || v.type === 'personalize-recommender') {
        const kind = v.type === 'personalize-campaign' ? 'campaign' : 'recommender';
        const problem = arnProblem(v.arn, 'personalize', [kind]);
        if (problem) error([...vPath, 'arn'], problem);
      } else if (v.type === 'function' || v.type === 'lambda') {
        const problem = arnProblem(v.arn, 'lambda', ['function']);
        if (problem) error([...vPath, 'arn'], problem);
      } else if (v.type === 'http') {
        const placeholders = urlPlaceholders(v.url);
        const probe = v.url.replace(/\{[^{}]*\}/g, 'x');
        let url: URL | undefined;
        try {
          url = new URL(probe);
        } catch {
          url = undefined;
        }
        if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
          error([...vPath, 'url'], 'must be an absolute http:// or https:// URL');
        }
        const unknown = placeholders.filter((p) => !(URL_PLACEHOLDERS as readonly string[]).includes(p));
        if (unknown.length > 0) {
          error(
            [...vPath, 'url'],
            `unknown placeholder${unknown.length === 1 ? '' : 's'} ${unknown.map((p) => `{${p}}`).join(', ')}; known: ${URL_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`,
          );
        }
      }
      if (v.inferenceItemMetadata?.type === 'personalize' && !v.type.startsWith('personalize-')) {
        warn([...vPath, 'inferenceItemMetadata'], "'personalize' metadata only comes back from Personalize variations");
      }
      if (v.fallback !== undefined) {
        if (v.fallback === vKey) error([...vPath, 'fallback'], 'a variation cannot fall back to itself');
        else if (!(v.fallback in variations)) {
          error([...vPath, 'fallback'], `names variation '${v.fallback}', which this recommender does not have`);
        }
      }
    }
    // Fallback chains must end.
    for (const start of keys) {
      const seen = new Set<string>([start]);
      let next = variations[start]?.fallback;
      while (next && variations[next]) {
        if (seen.has(next)) {
          if (next === start)
            error([...path, 'variations', start, 'fallback'], 'fallback chain loops back to this variation');
          break;
        }
        seen.add(next);
        next = variations[next]?.fallback;
      }
    }

    const experiments = Object.entries(rec.experiments ?? {});
    if (experiments.length > 0 && keys.length < 2) {
      warn([...path, 'experiments'], 'an experiment needs at least two variations to compare');
    }
    for (const [feature, exp] of experiments) {
      const ePath = [...path, 'experiments', feature];
      if (exp.method === 'hash') {
        let total = 0;
        for (const [vKey, weight] of Object.entries(exp.weights)) {
          if (!(vKey in variations)) {
            error([...ePath, 'weights', vKey], `names variation '${vKey}', which this recommender does not have`);
          }
          total += weight;
        }
        if (Object.keys(exp.weights).length === 0) error([...ePath, 'weights'], 'needs at least one variation weight');
        else if (Math.abs(total - 100) > 1e-6) error([...ePath, 'weights'], `weights must sum to 100, not ${total}`);
        for (const [name, metric] of Object.entries(exp.metrics ?? {})) {
          if (metric.eventType === undefined && (metric.windowHours !== undefined || metric.value !== undefined)) {
            warn([...ePath, 'metrics', name], 'windowHours and value apply only to metrics with an eventType');
          }
        }
      } else if (Object.keys(exp.metrics).length === 0) {
        warn([...ePath, 'metrics'], 'no metrics: conversions for this experiment will be rejected');
      }
    }

    const pp = rec.responsePostProcessor;
    if (pp) {
      const problem = arnProblem(pp.arn, 'lambda', ['function']);
      if (problem) error([...path, 'responsePostProcessor', 'arn'], problem);
      if (hasPersonalize && pp.lookAheadMaximumValue !== undefined && pp.lookAheadMaximumValue > MAX_NUM_RESULTS) {
        error(
          [...path, 'responsePostProcessor', 'lookAheadMaximumValue'],
          `Personalize returns at most ${MAX_NUM_RESULTS} items; use ${MAX_NUM_RESULTS} or less`,
        );
      }
      if (pp.lookAheadMultiplier === undefined && pp.lookAheadMaximumValue !== undefined) {
        warn([...path, 'responsePostProcessor', 'lookAheadMaximumValue'], 'has no effect without lookAheadMultiplier');
      }
    }
    if (
      rec.defaultNumResults !== undefined &&
      rec.maxNumResults !== undefined &&
      rec.defaultNumResults > rec.maxNumResults
    ) {
      error([...path, 'defaultNumResults'], `must not exceed maxNumResults (${rec.maxNumResults})`);
    }
  };

  checkInheritable(config, []);
  for (const [nsKey, ns] of Object.entries(config.namespaces)) {
    const nsPath = ['namespaces', nsKey];
    checkInheritable(ns, nsPath);
    const recCount = ACTIONS.reduce((n, a) => n + Object.keys(ns.recommenders?.[a] ?? {}).length, 0);
    if (recCount === 0 && !ns.eventTargets?.length) {
      warn(nsPath, 'no recommenders and no event targets: the namespace serves nothing');
    }
    for (const action of ACTIONS) {
      for (const [recKey, rec] of Object.entries(ns.recommenders?.[action] ?? {})) {
        checkRecommender(rec, [...nsPath, 'recommenders', action, recKey]);
      }
    }
    // A namespace has one localdb store (see itemMetadataStoreId), so it can be built from one file only.
    const sourceFiles = new Set<string>();
    const addSource = (m: ItemMetadataConfig | undefined) => {
      if (m?.type === 'localdb' && m.sourceFile) sourceFiles.add(m.sourceFile);
    };
    addSource(ns.inferenceItemMetadata ?? config.inferenceItemMetadata);
    for (const action of ACTIONS) {
      for (const rec of Object.values(ns.recommenders?.[action] ?? {})) {
        addSource(rec.inferenceItemMetadata);
        for (const v of Object.values(rec.variations ?? {})) addSource(v.inferenceItemMetadata);
      }
    }
    if (sourceFiles.size > 1) {
      error(nsPath, `names ${sourceFiles.size} localdb source files; a namespace has one localdb store`);
    }
    const seen = new Map<string, number>();
    ns.eventTargets?.forEach((t, i) => {
      const id = JSON.stringify(t);
      const first = seen.get(id);
      if (first !== undefined)
        error([...nsPath, 'eventTargets', i], `duplicates eventTargets[${first}]; events would be sent twice`);
      else seen.set(id, i);
      if ((t.type === 'kinesis-stream' || t.type === 'kinesis-firehose') && t.recordFormat === undefined) {
        warn(
          [...nsPath, 'eventTargets', i, 'recordFormat'],
          "not set: sends 'records' (one JSON line per event, conversion and exposure); set 'request' for the old service's one document per request",
        );
      }
    });
  }
  return { errors, warnings };
}
