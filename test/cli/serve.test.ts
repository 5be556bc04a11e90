/**
 * `p13n serve` end to end: a real process on a real port, an `http` origin served by a small recommender
 * the test starts, configuration reload, request logs and a clean stop on SIGTERM.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpConfig, json, startTinyRecommender, type TinyRecommender } from '../data-plane/helpers.ts';
import { startServe, until } from '../helpers/serve-process.ts';

let dir: string;
let recommender: TinyRecommender;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'p13n-serve-'));
  recommender = await startTinyRecommender();
});
afterAll(async () => {
  await recommender.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('p13n serve', () => {
  it('exits 2 with a clear message when the configuration file is missing', async () => {
    const run = startServe(['--config', join(dir, 'absent.json'), '--port', '0']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain(`configuration file ${join(dir, 'absent.json')} does not exist`);
  });

  it('exits 1 listing the problems when the configuration is invalid', async () => {
    const file = join(dir, 'invalid.json');
    writeFileSync(file, JSON.stringify({ namespaces: { 'bad key': {} } }));
    const run = startServe(['--config', file, '--port', '0']);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/invalid configuration\n {2}\$\.namespaces/);
  });

  it('exits 2 on a bad port', async () => {
    const run = startServe(['--port', 'eighty']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain("--port must be a port number (0-65535), got 'eighty'");
  });

  it('serves recommendations over real HTTP, reloads its configuration and stops on SIGTERM', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(httpConfig(recommender.url)));
    const run = startServe(['--port', '0'], { P13N_CONFIG: file });
    const base = await until(
      () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout())?.[1],
      'the listening line',
    );
    expect(run.stdout()).toContain('version 7');

    const res = await fetch(`${base}/recommend-items/retail/for-you/u1?numResults=2`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-personalization-config-version')).toBe('7');
    expect(await json(res)).toEqual({
      itemList: [
        { itemId: 'item-1', score: 1 },
        { itemId: 'item-2', score: 0.5 },
      ],
      recommendationId: 'rid-1',
    });

    const rerank = await fetch(`${base}/rerank-items/retail/ranking/u1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(['a', 'b']),
    });
    expect(rerank.status).toBe(200);
    expect(rerank.headers.get('cache-control')).toBe('no-store');

    const missing = await fetch(`${base}/recommend-items/retail/none/u1`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ code: 'RecommenderNotConfigured' });

    await until(
      () => (/GET \/recommend-items\/retail\/for-you\/u1 200 [\d.]+ms/.test(run.stdout()) ? true : undefined),
      'a request log line',
    );

    writeFileSync(file, JSON.stringify(httpConfig(recommender.url, { version: '8' })));
    const version = await (async () => {
      for (let i = 0; i < 200; i++) {
        const r = await fetch(`${base}/recommend-items/retail/for-you/u1`);
        if (r.headers.get('x-personalization-config-version') === '8') return '8';
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return 'unchanged';
    })();
    expect(version).toBe('8');
    expect(run.stderr()).toContain('configuration reloaded');

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain('SIGTERM received, stopping');
  });

  it('writes a request path holding %0A as one escaped log line, so a URL cannot forge a log line', async () => {
    const file = join(dir, 'config-log.json');
    writeFileSync(file, JSON.stringify(httpConfig(recommender.url)));
    const run = startServe(['--port', '0'], { P13N_CONFIG: file });
    const base = await until(
      () => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stdout())?.[1],
      'the listening line',
    );
    const res = await fetch(`${base}/nothing%0AGET%20/forged%20200%200.1ms%0D%1B[31m`);
    expect(res.status).toBe(404);
    await until(() => (run.stdout().includes('/nothing') ? true : undefined), 'the request log line');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const lines = run.stdout().split('\n');
    expect(lines.filter((line) => line.startsWith('GET /forged'))).toEqual([]);
    expect(lines.find((line) => line.startsWith('GET /nothing'))).toMatch(
      /^GET \/nothing\\x0aGET \/forged 200 0\.1ms\\x0d\\x1b\[31m 404 [\d.]+ms$/,
    );
  });
});
