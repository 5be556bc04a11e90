/**
 * The readout from Athena: run the readout SQL (athena-sql.ts) in a workgroup against the Glue table
 * the CDK option creates, wait for it within a deadline (stopping the query when the deadline passes),
 * page through the results and compute the same readout as the file report, without the time series.
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { ResolvedConfig } from '../schema/resolve-config.ts';
import { aggregatesFromRows, readoutSql, type SqlRow } from './athena-sql.ts';
import { experimentPlans } from './plan.ts';
import { experimentReadout, type Readout } from './readout.ts';

export const DEFAULT_RECORDS_TABLE = 'experiment_records';

export class AthenaQueryError extends Error {
  override name = 'AthenaQueryError';
}

export interface AthenaReadoutOptions {
  workgroup: string;
  database: string;
  table?: string;
  namespace?: string;
  now: Date;
  /** Longest wait for the query (default 5 minutes). */
  timeoutMs?: number;
  /** Between status checks (default 1 s). */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  clock?: () => number;
}

const MAX_RESULT_PAGES = 1_000;

/**
 * @example
 * const readout = await athenaReadout(new AthenaClient({}), resolved, { workgroup: 'p13n-experiments', database: 'p13n', now: new Date() });
 */
export async function athenaReadout(
  client: AthenaClient,
  config: ResolvedConfig,
  options: AthenaReadoutOptions,
): Promise<Readout> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const clock = options.clock ?? Date.now;
  const table = options.table ?? DEFAULT_RECORDS_TABLE;
  const plans = experimentPlans(config, options.namespace);
  const started = await client.send(
    new StartQueryExecutionCommand({
      QueryString: readoutSql(plans, { table }),
      WorkGroup: options.workgroup,
      QueryExecutionContext: { Database: options.database },
    }),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new AthenaQueryError('Athena started no query (no QueryExecutionId)');
  const deadline = clock() + (options.timeoutMs ?? 300_000);
  for (;;) {
    const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
    const state = QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED') break;
    if (state === 'FAILED' || state === 'CANCELLED') {
      throw new AthenaQueryError(
        `Athena query ${id} ${state.toLowerCase()}: ${QueryExecution?.Status?.StateChangeReason ?? 'no reason given'}`,
      );
    }
    if (clock() >= deadline) {
      await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
      throw new AthenaQueryError(
        `Athena query ${id} did not finish within ${options.timeoutMs ?? 300_000} ms; stopped`,
      );
    }
    await sleep(options.pollMs ?? 1_000);
  }

  const rows: SqlRow[] = [];
  let token: string | undefined;
  let columns: string[] | undefined;
  for (let page = 0; page < MAX_RESULT_PAGES; page++) {
    const result = await client.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1_000, NextToken: token }),
    );
    columns ??= (result.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => c.Name ?? '');
    const data = result.ResultSet?.Rows ?? [];
    // The first row of a SELECT's first page repeats the column names.
    for (const row of page === 0 ? data.slice(1) : data) {
      rows.push(Object.fromEntries(columns.map((name, i) => [name, row.Data?.[i]?.VarCharValue ?? null])));
    }
    token = result.NextToken;
    if (!token) break;
  }
  return {
    generatedAt: options.now.toISOString(),
    source: `Athena ${options.database}.${table} (workgroup ${options.workgroup}, query ${id})`,
    experiments: aggregatesFromRows(plans, rows).map((a) => experimentReadout(a)),
    malformed: [],
    malformedCount: 0,
    notes: [],
  };
}
