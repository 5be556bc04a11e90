/**
 * The readout's aggregation as one SQL query over the records table that Firehose fills (one JSON
 * record per row, as the `file` target writes them), so a deployment reads experiments out of S3 with
 * Athena. The query is written in a subset that Athena (Trino) and DuckDB both run unchanged, except
 * that DuckDB needs one macro, `from_iso8601_timestamp` (DUCKDB_PRELUDE); the tests run it in DuckDB
 * over the same JSON lines and compare with the file readout (attribution.ts). The configuration comes
 * in as VALUES rows built from the experiment plans. Rows out:
 *   exposed      — users whose first exposure fell in each variation (and the earliest time);
 *   converted    — per variation and metric: converting users, conversions and their value;
 *   unattributed — per metric: conversions no exposure accounts for.
 * Column names are lower-case: Athena's JSON SerDe matches the records' camelCase keys without case.
 */
import type { ExperimentAggregate, VariationAggregate } from './attribution.ts';
import { type ExperimentPlan, experimentKey } from './plan.ts';

/** What DuckDB needs first to run the Athena SQL. */
export const DUCKDB_PRELUDE = 'CREATE OR REPLACE MACRO from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)';

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;
const KEYS = ['namespace', 'action', 'recommender', 'feature'] as const;
const joinOn = (a: string, b: string, keys: readonly string[] = KEYS) =>
  keys.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');

function values(name: string, columns: string[], rows: string[][], types: string[]): string {
  if (rows.length === 0) {
    const nulls = columns.map((c, i) => `CAST(NULL AS ${types[i]}) AS ${c}`).join(', ');
    return `${name} AS (SELECT ${nulls} WHERE 1 = 0)`;
  }
  return `${name} (${columns.join(', ')}) AS (VALUES ${rows.map((r) => `(${r.join(', ')})`).join(', ')})`;
}

/**
 * @example
 * const sql = readoutSql(experimentPlans(resolved), { table: 'experiment_records' });
 */
export function readoutSql(plans: readonly ExperimentPlan[], options: { table: string }): string {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(options.table)) {
    throw new Error(`table: '${options.table}' is not a plain (lower-case) table name`);
  }
  const key = (p: ExperimentPlan) => KEYS.map((k) => literal(p[k]));
  const variations = values(
    'variations',
    [...KEYS, 'variation'],
    plans.flatMap((p) => p.variations.map((v) => [...key(p), literal(v)])),
    ['varchar', 'varchar', 'varchar', 'varchar', 'varchar'],
  );
  const experiments = values('experiments', [...KEYS], plans.map(key), ['varchar', 'varchar', 'varchar', 'varchar']);
  const metrics = values(
    'metrics',
    [...KEYS, 'metric', 'eventtype', 'window_ms', 'value_from_event', 'value_constant'],
    plans.flatMap((p) =>
      p.metrics
        .filter((m) => m.eventType !== undefined)
        .map((m) => [
          ...key(p),
          literal(m.name),
          literal(m.eventType!),
          `CAST(${Math.round(m.windowMs)} AS bigint)`,
          m.value === 'eventValue' ? 'true' : 'false',
          `CAST(${m.value === 'eventValue' ? 0 : m.value} AS double)`,
        ]),
    ),
    ['varchar', 'varchar', 'varchar', 'varchar', 'varchar', 'varchar', 'bigint', 'boolean', 'double'],
  );
  const t = options.table;
  return `WITH
${variations},
${experiments},
${metrics},
exposures AS (
  SELECT r.namespace, r.action, r.recommender, r.feature, r.variation, r.userid, r.recommendationid, r.itemids,
    r."timestamp" AS at_text, try(from_iso8601_timestamp(r."timestamp")) AS ts
  FROM ${t} r JOIN variations v ON ${joinOn('r', 'v', [...KEYS, 'variation'])}
  WHERE r.kind = 'exposure' AND r.userid IS NOT NULL
),
first_exposures AS (
  SELECT namespace, action, recommender, feature, userid, min(ts) AS first_ts, min(at_text) AS first_text,
    min_by(variation, ts) AS variation
  FROM exposures WHERE ts IS NOT NULL
  GROUP BY namespace, action, recommender, feature, userid
),
events AS (
  SELECT row_number() OVER () AS event_no, r.namespace, r.userid, r.eventtype, r.itemid, r.recommendationid,
    r.eventvalue, try(from_iso8601_timestamp(r.sentat)) AS ts
  FROM ${t} r
  WHERE r.kind = 'event' AND r.eventtype IS NOT NULL
),
candidates AS (
  SELECT ev.event_no, m.namespace, m.action, m.recommender, m.feature, m.metric, x.userid,
    CASE WHEN m.value_from_event THEN coalesce(ev.eventvalue, 0) ELSE m.value_constant END AS value
  FROM events ev
  JOIN metrics m ON m.namespace = ev.namespace AND m.eventtype = ev.eventtype
  LEFT JOIN exposures x ON ${joinOn('x', 'm')} AND x.ts IS NOT NULL
    AND (x.recommendationid = ev.recommendationid OR (x.userid = ev.userid AND contains(x.itemids, ev.itemid)))
    AND date_diff('millisecond', x.ts, ev.ts) BETWEEN 0 AND m.window_ms
  WHERE ev.ts IS NOT NULL
),
per_metric AS (
  SELECT event_no, namespace, action, recommender, feature, metric, min(userid) AS userid, min(value) AS value
  FROM candidates
  GROUP BY event_no, namespace, action, recommender, feature, metric
),
marked AS (
  SELECT p.*, count(p.userid) OVER (PARTITION BY p.event_no) AS experiments_matched FROM per_metric p
),
posted AS (
  SELECT c.namespace, c.action, c.recommender, c.feature, c.metric, c.userid, c.value,
    CASE WHEN f.first_ts IS NOT NULL AND try(from_iso8601_timestamp(c."timestamp")) >= f.first_ts
      THEN true ELSE false END AS attributed
  FROM ${t} c
  JOIN experiments e ON ${joinOn('c', 'e')}
  LEFT JOIN first_exposures f ON ${joinOn('c', 'f')} AND f.userid = c.userid
  WHERE c.kind = 'conversion' AND c.userid IS NOT NULL AND c.metric IS NOT NULL AND c.value IS NOT NULL
    AND try(from_iso8601_timestamp(c."timestamp")) IS NOT NULL
),
conversions AS (
  SELECT namespace, action, recommender, feature, metric, userid, value FROM marked WHERE userid IS NOT NULL
  UNION ALL
  SELECT namespace, action, recommender, feature, metric, userid, value FROM posted WHERE attributed
),
unattributed AS (
  SELECT namespace, action, recommender, feature, metric, value FROM marked WHERE experiments_matched = 0
  UNION ALL
  SELECT namespace, action, recommender, feature, metric, value FROM posted WHERE NOT attributed
)
SELECT 'exposed' AS row_type, namespace, action, recommender, feature, variation, CAST(NULL AS varchar) AS metric,
  count(*) AS users, CAST(NULL AS bigint) AS conversions, CAST(NULL AS double) AS value_sum, min(first_text) AS first_at
FROM first_exposures
GROUP BY namespace, action, recommender, feature, variation
UNION ALL
SELECT 'converted', c.namespace, c.action, c.recommender, c.feature, f.variation, c.metric,
  count(DISTINCT c.userid), count(*), sum(c.value), CAST(NULL AS varchar)
FROM conversions c JOIN first_exposures f ON ${joinOn('c', 'f')} AND f.userid = c.userid
GROUP BY c.namespace, c.action, c.recommender, c.feature, f.variation, c.metric
UNION ALL
SELECT 'unattributed', namespace, action, recommender, feature, CAST(NULL AS varchar), metric,
  CAST(NULL AS bigint), count(*), sum(value), CAST(NULL AS varchar)
FROM unattributed
GROUP BY namespace, action, recommender, feature, metric
`;
}

/** One result row, every value as text (as Athena returns them) or null. */
export type SqlRow = Record<string, string | null>;

const num = (v: string | null | undefined) => (v === null || v === undefined ? 0 : Number(v));

/**
 * The aggregates of the file readout from the query's rows (no time series: a query answers totals).
 *
 * @example
 * const aggregates = aggregatesFromRows(plans, rows);
 */
export function aggregatesFromRows(plans: readonly ExperimentPlan[], rows: readonly SqlRow[]): ExperimentAggregate[] {
  return plans.map((plan) => {
    const mine = rows.filter((r) => experimentKey(r as Parameters<typeof experimentKey>[0]) === experimentKey(plan));
    const metricNames = [
      ...new Set([...plan.metrics.map((m) => m.name), ...mine.filter((r) => r.metric).map((r) => r.metric!)]),
    ];
    const variations: VariationAggregate[] = plan.variations.map((variation) => {
      const exposed = mine.find((r) => r.row_type === 'exposed' && r.variation === variation);
      return {
        variation,
        exposedUsers: num(exposed?.users),
        ...(exposed?.first_at ? { firstExposureAt: Date.parse(exposed.first_at) } : {}),
        metrics: Object.fromEntries(
          metricNames.map((metric) => {
            const row = mine.find(
              (r) => r.row_type === 'converted' && r.variation === variation && r.metric === metric,
            );
            return [
              metric,
              { convertedUsers: num(row?.users), conversions: num(row?.conversions), valueSum: num(row?.value_sum) },
            ];
          }),
        ),
      };
    });
    const unattributed = Object.fromEntries(
      metricNames.map((metric) => {
        const row = mine.find((r) => r.row_type === 'unattributed' && r.metric === metric);
        return [metric, { conversions: num(row?.conversions), valueSum: num(row?.value_sum) }];
      }),
    );
    return {
      plan,
      variations,
      metrics: metricNames,
      unattributed,
      unknownVariationExposures: 0,
      series: {},
    };
  });
}
