import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../cli/experiments.ts';
import { athenaReadout } from '../../experiments/athena-readout.ts';
import type { SqlRow } from '../../experiments/athena-sql.ts';
import { fileReadout } from '../../experiments/report.ts';
import { runInDuckDb } from './duckdb.ts';
import { fixtureConfig, fixtureConfigJson, fixtureRecords } from './fixture.ts';

const athena = mockClient(AthenaClient);
const PAGE = 2;

/** Athena's GetQueryResults shape: a header row first, then every value as VarCharValue. */
function resultPages(rows: SqlRow[]) {
  const columns = Object.keys(rows[0] ?? { row_type: null });
  const all = [
    { Data: columns.map((c) => ({ VarCharValue: c })) },
    ...rows.map((r) => ({ Data: columns.map((c) => (r[c] === null ? {} : { VarCharValue: r[c]! })) })),
  ];
  const pages = [];
  for (let i = 0; i < all.length; i += PAGE) pages.push(all.slice(i, i + PAGE));
  return { columns, pages };
}

describe('the readout from Athena (SDK mocked; the query itself runs in DuckDB)', () => {
  let dir: string;
  let events: string;
  let statuses: string[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'p13n-athena-'));
    events = join(dir, 'events.jsonl');
    await writeFile(events, fixtureRecords({ users: 500, seed: 21, rates: [0.15, 0.2] }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  beforeEach(() => {
    athena.reset();
    statuses = ['QUEUED', 'RUNNING', 'SUCCEEDED'];
    let rows: Promise<SqlRow[]> | undefined;
    athena.on(StartQueryExecutionCommand).callsFake((input) => {
      rows = runInDuckDb(events, input.QueryString);
      return { QueryExecutionId: 'q-1' };
    });
    athena.on(GetQueryExecutionCommand).callsFake(() => ({
      QueryExecution: { Status: { State: statuses.shift() ?? 'SUCCEEDED' } },
    }));
    athena.on(GetQueryResultsCommand).callsFake(async (input) => {
      const { columns, pages } = resultPages(await rows!);
      const index = input.NextToken ? Number(input.NextToken) : 0;
      return {
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: columns.map((Name) => ({ Name, Type: 'varchar' })) },
          Rows: pages[index],
        },
        ...(index + 1 < pages.length ? { NextToken: String(index + 1) } : {}),
      };
    });
  });

  it('runs the readout SQL in the workgroup and database, pages through the rows, and matches the file readout', async () => {
    const config = fixtureConfig();
    const slept: number[] = [];
    const now = new Date('2026-11-29T12:00:00Z');
    const readout = await athenaReadout(new AthenaClient({ region: 'eu-west-1' }), config, {
      workgroup: 'p13n-experiments',
      database: 'p13n',
      now,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start.WorkGroup).toBe('p13n-experiments');
    expect(start.QueryExecutionContext).toEqual({ Database: 'p13n' });
    expect(start.QueryString).toContain('FROM experiment_records r');
    expect(slept).toEqual([1000, 1000]);
    expect(athena.commandCalls(GetQueryResultsCommand).length).toBeGreaterThan(2);

    const fromFile = await fileReadout(config, { files: [events], now });
    const numbers = (r: typeof readout) =>
      JSON.parse(JSON.stringify(r.experiments.map((e) => ({ ...e, series: undefined }))), (_k, v) =>
        typeof v === 'number' ? Number(v.toPrecision(12)) : v,
      );
    expect(numbers(readout)).toEqual(numbers(fromFile));
    expect(readout.source).toBe('Athena p13n.experiment_records (workgroup p13n-experiments, query q-1)');
  });

  it('reports a failed query with its reason, and stops one that outlives the deadline', async () => {
    const config = fixtureConfig();
    const options = { workgroup: 'w', database: 'd', now: new Date(), sleep: async () => {} };
    statuses = ['FAILED'];
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: { State: 'FAILED', StateChangeReason: "TABLE_NOT_FOUND: Table 'd.experiment_records' does not exist" },
      },
    });
    await expect(athenaReadout(new AthenaClient({}), config, options)).rejects.toThrow(
      "Athena query q-1 failed: TABLE_NOT_FOUND: Table 'd.experiment_records' does not exist",
    );

    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    let now = 0;
    await expect(
      athenaReadout(new AthenaClient({}), config, {
        ...options,
        timeoutMs: 5_000,
        clock: () => now,
        sleep: async (ms) => {
          now += ms;
        },
      }),
    ).rejects.toThrow('did not finish within 5000 ms; stopped');
    expect(athena.commandCalls(StopQueryExecutionCommand)[0]!.args[0].input).toEqual({ QueryExecutionId: 'q-1' });
  });

  it('is what `p13n experiments report --athena-workgroup W --database D` prints', async () => {
    statuses = ['SUCCEEDED'];
    const configFile = join(dir, 'config.json');
    await writeFile(configFile, JSON.stringify(fixtureConfigJson));
    const out: string[] = [];
    const write = vi.spyOn(console, 'log').mockImplementation((line) => {
      out.push(String(line));
    });
    try {
      const code = await run([
        'report',
        '--config',
        configFile,
        '--athena-workgroup',
        'wg',
        '--database',
        'db',
        '--json',
      ]);
      expect(code).toBe(0);
    } finally {
      write.mockRestore();
    }
    const readout = JSON.parse(out.join(''));
    expect(readout.experiments[0].exposedUsers).toBe(500);
    expect(readout.experiments[1].note).toBe('no exposures yet: nothing to compare');
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input.WorkGroup).toBe('wg');
  });
});
