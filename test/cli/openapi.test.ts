import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';

import { runCli } from '../helpers/run-cli.ts';

const p13n = (...args: string[]) => runCli(args);

describe('p13n openapi', () => {
  it('prints a valid document with the given servers and auth scheme', async () => {
    const run = await p13n(
      'openapi',
      'samples/config_simple.json',
      '--server',
      'https://a.example',
      '--server',
      'https://b.example',
      '--auth',
      'ApiKey',
    );
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.servers).toEqual([{ url: 'https://a.example' }, { url: 'https://b.example' }]);
    expect(doc.security).toEqual([{ ApiKey: [] }]);
    await expect(SwaggerParser.validate(doc)).resolves.toBeTruthy();
  });

  it('exits 2 on a bad --auth value and 1 on an invalid configuration', async () => {
    expect(await p13n('openapi', 'samples/config_simple.json', '--auth', 'Basic')).toMatchObject({
      status: 2,
      stderr: expect.stringContaining('--auth must be one of None, ApiKey, OAuth2-Cognito'),
    });
    expect(await p13n('openapi', 'package.json')).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('$.namespaces'),
    });
  });
});
