import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { runCli } from '../helpers/run-cli.ts';

const p13n = (...args: string[]) => runCli(args);
const dir = mkdtempSync(join(tmpdir(), 'p13n-validate-'));

describe('p13n validate', () => {
  it('exits 0 with a one-line summary for a valid configuration', async () => {
    const run = await p13n('validate', 'samples/config_simple.json');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      'samples/config_simple.json: valid (version 1; 1 namespace, 3 recommenders, 3 variations, 1 event target)',
    ]);
  });

  it('exits 1 with one line per problem, each starting with its path', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(
      file,
      JSON.stringify({
        namespaces: {
          shop: {
            recommenders: { 'recommend-items': { rfy: { variations: { v: { type: 'sagemaker' } } } } },
            eventTargets: [{ type: 'kinesis-stream' }],
          },
        },
      }),
    );
    const run = await p13n('validate', file);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      '$.namespaces.shop.recommenders.recommend-items.rfy.variations.v.endpointName: Invalid input: expected string, received undefined',
      '$.namespaces.shop.eventTargets[0].streamName: Invalid input: expected string, received undefined',
      `${file}: invalid (2 problems)`,
    ]);
  });

  it('exits 2 for a missing file, a non-JSON file and a bad command line', async () => {
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'namespaces: {}');
    expect(await p13n('validate', join(dir, 'missing.json'))).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/ENOENT/),
    });
    expect(await p13n('validate', notJson)).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/not valid JSON/),
    });
    expect(await p13n('validate')).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/expected exactly one FILE/),
    });
    expect((await p13n('frobnicate')).status).toBe(2);
  });
});
