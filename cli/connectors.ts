/**
 * `p13n connectors validate|run|start`: the batch connectors from the command line. `validate` checks a
 * job's config.json; `run` runs a job over a local folder laid out like the S3 one (and optionally
 * delivers to a Braze-compatible URL or the webhook); `start` starts the deployed state machine on a
 * job folder in S3. Secrets come from the environment, never from the command line.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { BRAZE_REQUESTS_PER_WINDOW, BRAZE_WINDOW_MS, brazeSender } from '../connectors/destinations/braze.ts';
import type { DestinationSender } from '../connectors/destinations/types.ts';
import { webhookSender } from '../connectors/destinations/webhook.ts';
import { ConnectorError } from '../connectors/errors.ts';
import { declaredConnectors, jobIdentity } from '../connectors/job-config.ts';
import { createRateLimiter } from '../connectors/rate-limiter.ts';
import { loadLocalJobConfig, runLocalJob } from '../connectors/run-local.ts';
import { boundedClientConfig } from '../shared/bounded-client-config.ts';
import { parseJobPath } from '../state-machines/connectors-payload.ts';

const HELP = `Usage:
  p13n connectors validate JOB_DIR|CONFIG_FILE
      check a job's config.json (exit 0 valid, 1 invalid)
  p13n connectors run --job DIR [--braze-url URL] [--webhook] [--data-dir DIR] [--workers N]
      run a job over a local folder (etl_jobs/<related_items|user_personalization>/<job>/): output under
      DIR/output/<connector>/year=…/, sync state under DIR/output/<connector>/state/. With --braze-url the
      output is sent to that Braze-compatible endpoint (key in $BRAZE_API_KEY); with --webhook to the
      job's webhook URL (signing secret in $P13N_WEBHOOK_SECRET). Part files are shared over N threads
      (default: one per CPU).
  p13n connectors start --job s3://BUCKET/etl_jobs/<type>/<job>/ [--state-machine-arn ARN]
      start the deployed connectors state machine ($P13N_CONNECTORS_STATE_MACHINE_ARN by default)
Exit status: 0 done, 1 the job failed (message names the file and line), 2 bad command line.`;

const envSchema = z.object({
  BRAZE_API_KEY: z.string().min(1).optional(),
  P13N_WEBHOOK_SECRET: z.string().min(16, { error: 'at least 16 characters' }).optional(),
  P13N_CONNECTORS_STATE_MACHINE_ARN: z.string().startsWith('arn:').optional(),
  P13N_DATA_DIR: z.string().min(1).optional(),
});

class UsageError extends Error {}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    if (sub === '--help' || sub === '-h' || sub === undefined) {
      console.log(HELP);
      return sub === undefined ? 2 : 0;
    }
    ({ values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        job: { type: 'string' },
        'braze-url': { type: 'string' },
        webhook: { type: 'boolean' },
        'data-dir': { type: 'string' },
        workers: { type: 'string' },
        'state-machine-arn': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (!['validate', 'run', 'start'].includes(sub)) throw new UsageError(`unknown sub-command '${sub}'`);
    if (sub === 'validate' && positionals.length !== 1)
      throw new UsageError('validate takes one JOB_DIR or CONFIG_FILE');
    if (sub !== 'validate' && typeof values.job !== 'string') throw new UsageError('--job is required');
    if (values.workers !== undefined && !/^[1-9]\d{0,2}$/.test(String(values.workers))) {
      throw new UsageError(`--workers must be a whole number from 1 to 999, not '${values.workers}'`);
    }
  } catch (err) {
    console.error(`p13n connectors: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const env = envSchema.safeParse(process.env);
  if (!env.success) {
    console.error(
      `p13n connectors: invalid environment: ${env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
    return 2;
  }
  try {
    if (sub === 'validate') return await validate(positionals[0] as string);
    if (sub === 'start')
      return await start(
        values.job as string,
        (values['state-machine-arn'] as string | undefined) ?? env.data.P13N_CONNECTORS_STATE_MACHINE_ARN,
      );
    return await runJob(values, env.data);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`p13n connectors: ${err.message}`);
      return 2;
    }
    if (err instanceof ConnectorError) {
      console.error(`p13n connectors ${sub}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

async function validate(target: string): Promise<number> {
  const isFile = target.endsWith('.json');
  const dir = isFile ? join(target, '..') : target;
  const config = await loadLocalJobConfig(dir);
  const job = jobIdentity(dir);
  console.log(
    `${isFile ? target : join(dir, 'config.json')}: valid ${job.type} job '${job.name}' (connectors: ${declaredConnectors(config).join(', ')})`,
  );
  return 0;
}

async function runJob(
  values: Record<string, string | boolean | undefined>,
  env: z.output<typeof envSchema>,
): Promise<number> {
  const jobDir = values.job as string;
  const config = await loadLocalJobConfig(jobDir);
  const senders: Partial<Record<'braze' | 'webhook', DestinationSender>> = {};
  const limiter = createRateLimiter({ limit: BRAZE_REQUESTS_PER_WINDOW, windowMs: BRAZE_WINDOW_MS });
  if (typeof values['braze-url'] === 'string') {
    if (!config.connectors.braze) throw new UsageError(`--braze-url: the job declares no braze connector`);
    if (!env.BRAZE_API_KEY) throw new UsageError('--braze-url needs the API key in $BRAZE_API_KEY');
    senders.braze = brazeSender({ endpoint: values['braze-url'], apiKey: env.BRAZE_API_KEY }, { limiter });
  }
  if (values.webhook) {
    if (!config.connectors.webhook) throw new UsageError('--webhook: the job declares no webhook connector');
    if (!env.P13N_WEBHOOK_SECRET) throw new UsageError('--webhook needs the signing secret in $P13N_WEBHOOK_SECRET');
    senders.webhook = webhookSender(config.connectors.webhook, env.P13N_WEBHOOK_SECRET, {
      limiter: createRateLimiter({ limit: 1_000, windowMs: 1_000 }),
    });
  }
  const started = performance.now();
  const report = await runLocalJob({
    jobDir,
    workers: values.workers ? Number(values.workers) : availableParallelism(),
    dataDir: (values['data-dir'] as string | undefined) ?? env.P13N_DATA_DIR,
    senders,
  });
  const { stats } = report;
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  console.log(
    `${report.job.type}/${report.job.name} ${report.partition}: ${stats.records} records (${stats.failed} not answered` +
      `${report.job.type === 'related_items' ? `, ${stats.unmapped} mapped to no user` : ''}), ${stats.users} users, ${seconds}s`,
  );
  for (const connector of declaredConnectors(config)) {
    const file = report.outputs[connector];
    const delivered = report.delivery[connector];
    console.log(
      `  ${connector}: ${stats.sent[connector] ?? 0} changed, ${stats.unchanged[connector] ?? 0} unchanged` +
        (file ? ` → ${file}` : ' (nothing to send)') +
        (delivered
          ? `; delivered ${delivered.delivered}, rejected ${delivered.rejected}${delivered.rejectedFile ? ` → ${delivered.rejectedFile}` : ''}`
          : ''),
    );
  }
  if (report.errorsFile) console.log(`  errors: ${report.errorsFile}`);
  return Object.values(report.delivery).some((d) => d.rejected > 0) ? 1 : 0;
}

async function start(jobPath: string, stateMachineArn: string | undefined): Promise<number> {
  const job = parseJobPath(jobPath);
  if (!stateMachineArn) throw new UsageError('--state-machine-arn or $P13N_CONNECTORS_STATE_MACHINE_ARN is required');
  const client = new SFNClient(boundedClientConfig());
  try {
    const out = await client.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ jobPath: job.url }) }),
    );
    console.log(`started ${job.type}/${job.name}: ${out.executionArn}`);
    return 0;
  } finally {
    client.destroy();
  }
}
