/**
 * `p13n experiments report`: which variation of each configured experiment is winning, from the
 * JSON-lines records the `file` event targets wrote (or `--events` files), or from Athena over the
 * records Firehose delivered to S3 (`--athena-workgroup`, `--database`).
 */
import { parseArgs } from 'node:util';
import { AthenaClient } from '@aws-sdk/client-athena';
import { athenaReadout, DEFAULT_RECORDS_TABLE } from '../experiments/athena-readout.ts';
import type { Readout } from '../experiments/readout.ts';
import { fileReadout, formatReadout } from '../experiments/report.ts';
import { ConfigFileError, loadConfigFile } from '../schema/validate-config.ts';
import { boundedClientConfig } from '../shared/bounded-client-config.ts';
import { DEFAULT_CONFIG } from './serve.ts';

const HELP = `Usage: p13n experiments report [--config FILE] [--events FILE]... [--namespace NS] [--json]
       p13n experiments report --athena-workgroup W --database D [--table T] [--config FILE] [--json]

Per experiment and variation: users exposed, conversions after the first exposure, conversion rate
with a 95% interval, value per exposed user, lift against the first (control) variation with its
interval and p-value, the sample-ratio-mismatch test and whether the minimum sample is reached.
  --config FILE          configuration (default $P13N_CONFIG, else ${DEFAULT_CONFIG})
  --events FILE          JSON-lines records (repeatable; default: the namespaces' file event targets)
  --namespace NS         only this namespace's experiments
  --json                 print the readout as JSON
  --athena-workgroup W   read the records with Athena in workgroup W (needs --database)
  --database D           Glue database of the records table
  --table T              records table (default ${DEFAULT_RECORDS_TABLE})
  --timeout-seconds N    longest wait for the Athena query (default 300)
Exit status: 0 reported (malformed lines are listed, not fatal), 1 invalid configuration or query failure,
2 bad arguments.`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === undefined) {
    console.log(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'report') {
    console.error(`p13n experiments: unknown sub-command '${sub}'\n\n${HELP}`);
    return 2;
  }
  let values: ReturnType<typeof parse>['values'];
  let timeoutMs: number | undefined;
  try {
    ({ values } = parse(rest));
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const athena = values['athena-workgroup'] !== undefined || values.database !== undefined;
    if (athena && (values['athena-workgroup'] === undefined || values.database === undefined)) {
      throw new Error('--athena-workgroup and --database go together');
    }
    if (athena && values.events) throw new Error('--events reads files; leave it out with --athena-workgroup');
    if (!athena && values.table !== undefined) throw new Error('--table applies only with --athena-workgroup');
    if (values['timeout-seconds'] !== undefined) {
      const seconds = Number(values['timeout-seconds']);
      if (!Number.isInteger(seconds) || seconds < 1) throw new Error('--timeout-seconds must be a positive integer');
      timeoutMs = seconds * 1000;
    }
  } catch (err) {
    console.error(`p13n experiments report: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }

  const file = values.config ?? process.env.P13N_CONFIG ?? DEFAULT_CONFIG;
  let loaded: Awaited<ReturnType<typeof loadConfigFile>>;
  try {
    loaded = await loadConfigFile(file);
  } catch (err) {
    if (err instanceof ConfigFileError) {
      console.error(`p13n experiments report: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (!loaded.ok) {
    for (const e of loaded.errors) console.error(`${e.path}: ${e.message}`);
    console.error(`p13n experiments report: ${file} is invalid`);
    return 1;
  }
  if (values.namespace !== undefined && !loaded.resolved.namespaces.has(values.namespace)) {
    console.error(`p13n experiments report: --namespace: '${values.namespace}' is not in ${file}`);
    return 2;
  }

  let readout: Readout;
  const now = new Date();
  if (values['athena-workgroup'] !== undefined && values.database !== undefined) {
    const client = new AthenaClient(boundedClientConfig());
    try {
      readout = await athenaReadout(client, loaded.resolved, {
        workgroup: values['athena-workgroup'],
        database: values.database,
        ...(values.table === undefined ? {} : { table: values.table }),
        ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
        now,
      });
    } catch (err) {
      console.error(`p13n experiments report: ${(err as Error).name}: ${(err as Error).message}`);
      return 1;
    } finally {
      client.destroy();
    }
  } else {
    readout = await fileReadout(loaded.resolved, {
      ...(values.events ? { files: values.events } : {}),
      ...(values.namespace === undefined ? {} : { namespace: values.namespace }),
      now,
    });
  }
  console.log(values.json ? JSON.stringify(readout, null, 2) : formatReadout(readout).replace(/\n$/, ''));
  return 0;
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      help: { type: 'boolean', short: 'h' },
      config: { type: 'string', short: 'c' },
      events: { type: 'string', multiple: true },
      namespace: { type: 'string' },
      json: { type: 'boolean' },
      'athena-workgroup': { type: 'string' },
      database: { type: 'string' },
      table: { type: 'string' },
      'timeout-seconds': { type: 'string' },
    },
  });
}
