/**
 * The file-based readout and its text form: read the JSON-lines records the namespaces' `file` event
 * targets wrote (or given files), attribute them, and compute each configured experiment's readout.
 * Used by `p13n experiments report` and by `GET /experiments/{namespace}` in `p13n serve`.
 */
import type { ResolvedConfig } from '../schema/resolve-config.ts';
import { attribute } from './attribution.ts';
import { experimentPlans } from './plan.ts';
import {
  aggregateNotes,
  type ExperimentReadout,
  experimentReadout,
  type MetricReadout,
  type Readout,
} from './readout.ts';
import { describeMalformed, readRecordFiles } from './records.ts';

/** Malformed lines listed in a readout (all are counted). */
export const MAX_LISTED_MALFORMED = 20;

/** The files the namespace's (or every namespace's) `file` event targets write. */
export function eventFilesOf(config: ResolvedConfig, namespace?: string): string[] {
  const files = new Set<string>();
  for (const ns of config.namespaces.values()) {
    if (namespace !== undefined && ns.key !== namespace) continue;
    for (const target of ns.eventTargets) if (target.type === 'file') files.add(target.path);
  }
  return [...files];
}

/**
 * @example
 * const readout = await fileReadout(resolved, { files: ['data/events.jsonl'], now: new Date() });
 */
export async function fileReadout(
  config: ResolvedConfig,
  options: {
    files?: readonly string[];
    namespace?: string;
    now: Date;
    /** Bytes read at most from each file (default: all); `p13n serve`'s page bounds what one request reads. */
    maxBytesPerFile?: number;
  },
): Promise<Readout> {
  const files = options.files ?? eventFilesOf(config, options.namespace);
  const { records, malformed, missing } = await readRecordFiles(files, { maxBytesPerFile: options.maxBytesPerFile });
  const aggregates = attribute(experimentPlans(config, options.namespace), records);
  return {
    generatedAt: options.now.toISOString(),
    source: files.join(', ') || '(no file event targets)',
    experiments: aggregates.map((a) => experimentReadout(a, { series: true })),
    malformed: malformed.slice(0, MAX_LISTED_MALFORMED),
    malformedCount: malformed.length,
    notes: [...missing.map((f) => `${f}: no such file (read as empty)`), ...aggregateNotes(aggregates)],
  };
}

const percent = (x: number | null | undefined, digits = 2) =>
  x === null || x === undefined ? '—' : `${(x * 100).toFixed(digits)}%`;
const signedPercent = (x: number, digits = 1) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(digits)}%`;
const formatP = (p: number | null | undefined) =>
  p === null || p === undefined ? '—' : p < 0.0001 ? p.toExponential(1) : p.toFixed(4);

/** One table row of a metric, as the report and the dashboard print it. */
export function metricCells(v: ExperimentReadout['variations'][number], m: MetricReadout): string[] {
  const vs = m.versusControl;
  const lift =
    vs === undefined
      ? 'control'
      : vs.lift === null
        ? '—'
        : `${signedPercent(vs.lift)}${vs.liftInterval ? ` [${signedPercent(vs.liftInterval.lower)}, ${signedPercent(vs.liftInterval.upper)}]` : ''}`;
  return [
    v.variation,
    String(v.exposedUsers),
    String(m.convertedUsers),
    `${percent(m.rate)}${m.rateInterval ? ` [${percent(m.rateInterval.lower)}, ${percent(m.rateInterval.upper)}]` : ''}`,
    m.meanValue === null ? '—' : m.meanValue.toFixed(2),
    lift,
    vs === undefined ? '' : formatP(vs.pValue),
  ];
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) =>
    `    ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}`.trimEnd(),
  );
}

/** Plain-text report, one block per experiment. */
export function formatReadout(readout: Readout): string {
  const out: string[] = [`Experiment readout from ${readout.source} (${readout.generatedAt})`];
  if (readout.malformedCount > 0) {
    out.push(`${readout.malformedCount} malformed line(s) left out:`);
    for (const m of readout.malformed) out.push(`  ${describeMalformed(m)}`);
    if (readout.malformedCount > readout.malformed.length) {
      out.push(`  … and ${readout.malformedCount - readout.malformed.length} more`);
    }
  }
  for (const note of readout.notes) out.push(`note: ${note}`);
  if (readout.experiments.length === 0) out.push('', 'No experiments are configured.');
  for (const e of readout.experiments) {
    out.push(
      '',
      `${e.namespace} / ${e.action} / ${e.recommender} / ${e.feature} (${e.method}): ${e.exposedUsers} users exposed`,
    );
    if (e.note) {
      out.push(`  ${e.note}`);
      continue;
    }
    if (e.sampleRatio) {
      const s = e.sampleRatio;
      const weights = e.variations.map((v) => `${v.variation} ${v.weight}`).join(' / ');
      out.push(
        s.mismatch
          ? `  SAMPLE RATIO MISMATCH: users split ${e.variations.map((v) => v.exposedUsers).join(' / ')} against weights ${weights} (chi-square ${s.chiSquare.toFixed(2)}, p = ${formatP(s.pValue)} < 0.001): find the cause before trusting any comparison`
          : `  sample ratio: ok (chi-square ${s.chiSquare.toFixed(2)}, ${s.dof} dof, p = ${formatP(s.pValue)}; weights ${weights})`,
      );
    }
    const firsts = e.variations.filter((v) => v.firstExposure !== null);
    if (firsts.length > 0) {
      out.push(`  first exposure: ${firsts.map((v) => `${v.variation} ${v.firstExposure}`).join(', ')}`);
    }
    if (e.minimumSample) {
      out.push(
        `  minimum sample ${e.minimumSample.perVariation} users per variation: ${e.minimumSample.reached ? 'reached' : 'not reached yet'}`,
      );
    }
    for (const metric of e.metrics) {
      out.push(`  metric ${metric}:`);
      out.push(
        ...table([
          ['variation', 'users', 'converted', 'rate [95% CI]', 'value/user', 'lift vs control [95% CI]', 'p-value'],
          ...e.variations.map((v) => metricCells(v, v.metrics[metric]!)),
        ]),
      );
      const u = e.unattributed[metric];
      if (u && u.conversions > 0)
        out.push(`    unattributed (in no variation): ${u.conversions} conversion(s), value ${u.valueSum.toFixed(2)}`);
    }
  }
  return `${out.join('\n')}\n`;
}
