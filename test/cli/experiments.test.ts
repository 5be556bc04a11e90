import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureConfigJson, fixtureRecords } from '../experiments/fixture.ts';
import { runCli } from '../helpers/run-cli.ts';

const p13n = (...args: string[]) => runCli(args);
const dir = mkdtempSync(join(tmpdir(), 'p13n-experiments-'));
const events = join(dir, 'events.jsonl');
writeFileSync(events, fixtureRecords({ users: 300, seed: 2, rates: [0.2, 0.3] }));
const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify(fixtureConfigJson));

describe('p13n experiments report', async () => {
  it('prints each experiment per variation, names malformed lines and still reports', async () => {
    const run = await p13n('experiments', 'report', '--config', config, '--events', events);
    expect(run.status).toBe(0);
    const out = run.stdout;
    expect(out).toContain('3 malformed line(s) left out:');
    expect(out).toContain(`${events}:4: is not valid JSON`);
    expect(out).toContain(`${events}:11: kind: must be exposure, event or conversion, not "telemetry"`);
    expect(out).toContain('shop / recommend-items / for-you / home-ab (hash): 300 users exposed');
    expect(out).toMatch(
      /sample ratio: ok \(chi-square \d+\.\d+, 1 dof, p = 0\.\d{4}; weights control 50 \/ treatment 50\)/,
    );
    expect(out).toContain('minimum sample 100 users per variation: reached');
    expect(out).toMatch(/first exposure: control 2026-11-0\dT[\d:.]+Z, treatment 2026-11-0\dT[\d:.]+Z/);
    expect(out).toMatch(/ {4}control +\d+ +\d+ +\d+\.\d\d% \[\d+\.\d\d%, \d+\.\d\d%\] +\d+\.\d\d +control/);
    expect(out).toMatch(
      / {4}treatment +\d+ +\d+ +\d+\.\d\d% \[.+\] +\d+\.\d\d +[+-]\d+\.\d% \[[+-]\d+\.\d%, [+-]\d+\.\d%\] +\d\.\d{4}/,
    );
    expect(out).toMatch(/unattributed \(in no variation\): \d+ conversion\(s\)/);
    expect(out).toContain(
      'shop / recommend-items / for-you / empty-ab (hash): 0 users exposed\n  no exposures yet: nothing to compare',
    );
  });

  it('prints the readout as JSON with --json', async () => {
    const run = await p13n(
      'experiments',
      'report',
      '--config',
      config,
      '--events',
      events,
      '--json',
      '--namespace',
      'shop',
    );
    expect(run.status).toBe(0);
    const readout = JSON.parse(run.stdout);
    expect(readout.malformedCount).toBe(3);
    const home = readout.experiments[0];
    expect(
      home.variations.map((v: { exposedUsers: number }) => v.exposedUsers).reduce((a: number, b: number) => a + b),
    ).toBe(300);
    expect(home.variations[1].metrics.purchase.versusControl).toMatchObject({
      lift: expect.any(Number),
      liftInterval: { lower: expect.any(Number), upper: expect.any(Number) },
      pValue: expect.any(Number),
    });
  });

  it('refuses bad arguments with exit 2 and a message naming the option', async () => {
    const half = await p13n('experiments', 'report', '--config', config, '--database', 'd');
    expect(half.status).toBe(2);
    expect(half.stderr).toContain('--athena-workgroup and --database go together');
    const unknown = await p13n('experiments', 'report', '--config', config, '--namespace', 'nowhere');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("--namespace: 'nowhere' is not in");
    const sub = await p13n('experiments', 'summary');
    expect(sub.status).toBe(2);
    expect(sub.stderr).toContain("unknown sub-command 'summary'");
  });
});
