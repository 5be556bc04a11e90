/**
 * Runs the Athena readout SQL in DuckDB over a JSON-lines file, the way Athena reads the Firehose
 * objects: a `experiment_records` view with the Glue table's columns (missing keys are NULL,
 * malformed lines skipped), plus the one-macro prelude. Values come back as text, as Athena's do.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { DUCKDB_PRELUDE, type SqlRow } from '../../experiments/athena-sql.ts';

export const COLUMNS: Record<string, string> = {
  kind: 'VARCHAR',
  namespace: 'VARCHAR',
  action: 'VARCHAR',
  recommender: 'VARCHAR',
  feature: 'VARCHAR',
  variation: 'VARCHAR',
  method: 'VARCHAR',
  userId: 'VARCHAR',
  sessionId: 'VARCHAR',
  recommendationId: 'VARCHAR',
  itemIds: 'VARCHAR[]',
  eventType: 'VARCHAR',
  itemId: 'VARCHAR',
  eventValue: 'DOUBLE',
  metric: 'VARCHAR',
  value: 'DOUBLE',
  timestamp: 'VARCHAR',
  sentAt: 'VARCHAR',
};

export async function runInDuckDb(file: string, sql: string): Promise<SqlRow[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const columns = Object.entries(COLUMNS)
      .map(([name, type]) => `"${name}": '${type}'`)
      .join(', ');
    await connection.run(
      `CREATE VIEW experiment_records AS SELECT * FROM read_json('${file.replaceAll("'", "''")}', format = 'newline_delimited', ignore_errors = true, columns = {${columns}})`,
    );
    await connection.run(DUCKDB_PRELUDE);
    const reader = await connection.runAndReadAll(sql);
    return reader
      .getRowObjects()
      .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)])));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
