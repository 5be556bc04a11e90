import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../cli/connectors.ts';
import { generateSampleJobs } from '../../samples/connectors/generate.ts';
import { SAMPLES, SHOPPERS } from './helpers.ts';
import { BRAZE_CONFIG, tempRoot, userRecords, writeJob } from './job-fixture.ts';

const roots: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...m) => void out.push(m.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...m) => void err.push(m.join(' ')));
  const code = await run(args);
  vi.restoreAllMocks();
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('p13n connectors', () => {
  it('validate: a sample job is valid; a broken one is refused with the file and field', async () => {
    expect(await cli('validate', join(SAMPLES, SHOPPERS))).toMatchObject({
      code: 0,
      out: expect.stringContaining("valid user_personalization job 'shoppers' (connectors: braze)"),
    });
    const root = tempRoot();
    roots.push(root);
    const dir = writeJob(root, 'related_items', 'r', {
      config: { batchInferencePath: '', connectors: { braze: { attributePrefix: 'a b' } } },
    });
    const result = await cli('validate', join(dir, 'config.json'));
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${join(dir, 'config.json')}: invalid job configuration`);
    expect(result.err).toMatch(/batchInferencePath: /);
    expect(result.err).toMatch(/connectors\.braze\.attributePrefix: letters, digits/);
  });

  it('run: the sample job runs with one command and a second run sends nothing', async () => {
    const root = tempRoot();
    roots.push(root);
    cpSync(join(SAMPLES, 'etl_jobs'), join(root, 'etl_jobs'), {
      recursive: true,
      filter: (source) => !/\/(output|errors|\.run-[^/]*)$/.test(source),
    });
    const first = await cli('run', '--job', join(root, SHOPPERS));
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/100 records \(1 not answered\), 99 users/);
    expect(first.out).toMatch(
      /braze: 99 changed, 0 unchanged → .*output\/braze\/year=\d{4}\/month=\d\d\/day=\d\d\/time=\d{6}\/part-00000\.jsonl/,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect((await cli('run', '--job', join(root, SHOPPERS))).out).toMatch(
      /braze: 0 changed, 99 unchanged \(nothing to send\)/,
    );
  });

  it('run from the built bundle (dist/p13n.mjs) shares part files over worker threads', () => {
    const root = tempRoot();
    roots.push(root);
    const dir = writeJob(root, 'user_personalization', 'bundle', { config: BRAZE_CONFIG, batch: userRecords(20, 10) });
    writeFileSync(
      join(dir, 'batch', 'part-1.json.out'),
      userRecords(40, 10)
        .slice(20)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const out = spawnSync(process.execPath, ['dist/p13n.mjs', 'connectors', 'run', '--job', dir, '--workers', '2'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
    });
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/40 records \(0 not answered\), 40 users/);
  });

  it('run: refuses to deliver without the key in the environment, and bad command lines', async () => {
    delete process.env.BRAZE_API_KEY;
    expect(await cli('run', '--job', join(SAMPLES, SHOPPERS), '--braze-url', 'http://127.0.0.1:9')).toMatchObject({
      code: 2,
      err: expect.stringContaining('$BRAZE_API_KEY'),
    });
    expect((await cli('run')).code).toBe(2);
    expect((await cli('explode')).err).toContain("unknown sub-command 'explode'");
  });

  it('start: starts the state machine on an S3 job folder, and names a malformed path', async () => {
    const sfn = mockClient(SFNClient);
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:c:1' });
    const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:connectors';
    const ok = await cli('start', '--job', 's3://conn-jobs/etl_jobs/related_items/spring', '--state-machine-arn', arn);
    expect(ok).toMatchObject({ code: 0, out: expect.stringContaining('started related_items/spring') });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({
      stateMachineArn: arn,
      input: JSON.stringify({ jobPath: 's3://conn-jobs/etl_jobs/related_items/spring/' }),
    });
    const bad = await cli('start', '--job', 's3://conn-jobs/etl_jobs/ranking/spring/', '--state-machine-arn', arn);
    expect(bad).toMatchObject({ code: 1, err: expect.stringContaining("unknown job type 'ranking'") });
    expect((await cli('start', '--job', 's3://conn-jobs/etl_jobs/related_items/spring/')).code).toBe(2);
    sfn.restore();
  });
});

describe('samples/connectors', () => {
  it('are what generate.ts makes from the embedded default’s data (regenerate when this fails)', async () => {
    for (const [path, text] of await generateSampleJobs()) {
      expect(readFileSync(join(SAMPLES, path), 'utf8'), path).toBe(text);
    }
  });
});
