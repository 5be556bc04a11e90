import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregatesFromRows, readoutSql } from '../../experiments/athena-sql.ts';
import { attribute } from '../../experiments/attribution.ts';
import { experimentPlans } from '../../experiments/plan.ts';
import { experimentReadout } from '../../experiments/readout.ts';
import { parseRecords } from '../../experiments/records.ts';
import { runInDuckDb } from './duckdb.ts';
import { fixtureConfig, fixtureRecords } from './fixture.ts';

describe('the Athena readout SQL, run in DuckDB over the same JSON lines', () => {
  let dir: string;
  let file: string;
  let text: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'p13n-sql-'));
    file = join(dir, 'records.jsonl');
    text = fixtureRecords({ users: 800, seed: 11, rates: [0.2, 0.28] });
    await writeFile(file, text);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('aggregates exactly what the file readout attributes, malformed lines skipped by both', async () => {
    const plans = experimentPlans(fixtureConfig());
    const rows = await runInDuckDb(file, readoutSql(plans, { table: 'experiment_records' }));
    const fromSql = aggregatesFromRows(plans, rows);
    const parsed = parseRecords(text);
    expect(parsed.malformed).toHaveLength(3);
    const fromFile = attribute(plans, parsed.records);

    const totals = (a: typeof fromFile) =>
      a.map((e) => ({
        experiment: e.plan.feature,
        metrics: [...e.metrics].sort(),
        variations: e.variations.map((v) => ({
          ...v,
          metrics: Object.fromEntries(
            Object.entries(v.metrics).map(([m, c]) => [m, { ...c, valueSum: Number(c.valueSum.toFixed(6)) }]),
          ),
        })),
        unattributed: Object.fromEntries(
          Object.entries(e.unattributed).map(([m, u]) => [m, { ...u, valueSum: Number(u.valueSum.toFixed(6)) }]),
        ),
      }));
    expect(totals(fromSql)).toEqual(totals(fromFile));
    // The fixture exercises every path: both metrics convert and both have unattributed conversions.
    const home = fromFile[0]!;
    expect(home.variations.map((v) => v.exposedUsers).reduce((a, b) => a + b)).toBe(800);
    for (const metric of ['purchase', 'signup']) {
      expect(home.variations.every((v) => v.metrics[metric]!.convertedUsers > 0)).toBe(true);
      expect(home.unattributed[metric]!.conversions).toBeGreaterThan(0);
    }
    // And the statistics computed from either are the same (value sums differ only in summation order).
    const readout = (a: (typeof fromFile)[number]) =>
      JSON.parse(JSON.stringify(experimentReadout(a)), (_k, v) =>
        typeof v === 'number' ? Number(v.toPrecision(12)) : v,
      );
    expect(readout(fromSql[0]!)).toEqual(readout(fromFile[0]!));
  });

  it('keeps configuration values out of the SQL text they could break', () => {
    const plans = experimentPlans(fixtureConfig());
    plans[0]!.metrics[0]!.eventType = "it's";
    expect(readoutSql(plans, { table: 'experiment_records' })).toContain("'it''s'");
    expect(() => readoutSql(plans, { table: 'records; DROP TABLE x' })).toThrow(/table/);
  });

  it('answers no rows for an experiment nobody saw, and a readout that says so', async () => {
    const plans = experimentPlans(fixtureConfig());
    const rows = await runInDuckDb(file, readoutSql(plans, { table: 'experiment_records' }));
    const empty = aggregatesFromRows(plans, rows)[1]!;
    expect(empty.plan.feature).toBe('empty-ab');
    const readout = experimentReadout(empty);
    expect(readout.note).toBe('no exposures yet: nothing to compare');
    expect(readout.sampleRatio).toBeNull();
  });
});
