/**
 * `p13n serve` follows the same lifecycle as the Lambda entry: a reload is prepared (its `sourceFile`
 * imported) before it serves, and SIGTERM drains the background work (exposures) within a bound.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTinyRecommender, type TinyRecommender } from '../data-plane/helpers.ts';
import { startHungService } from '../helpers/hung-service.ts';
import { listeningUrl, startServe, until } from '../helpers/serve-process.ts';
import { catalogue } from '../lambda-runtime/emulators.ts';

let dir: string;
let recommender: TinyRecommender;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jsonLines = (items: unknown[]) => `${items.map((i) => JSON.stringify(i)).join('\n')}\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'p13n-serve-lifecycle-'));
  recommender = await startTinyRecommender();
});
afterAll(async () => {
  await recommender.close();
  rmSync(dir, { recursive: true, force: true });
});

const top = () => ({ variations: { http: { type: 'http', url: `${recommender.url}/recs` } } });
/** A 50/50 hash experiment whose exposures go to `target`. */
const abConfig = (version: string, target: Record<string, string>) =>
  JSON.stringify({
    version,
    namespaces: {
      ab: {
        recommenders: {
          'recommend-items': {
            top: {
              experiments: { test: { method: 'hash', weights: { a: 50, b: 50 } } },
              variations: { a: top().variations.http, b: top().variations.http },
            },
          },
        },
        eventTargets: [target],
      },
    },
  });

describe('p13n serve lifecycle', () => {
  it('serves a reload that changes sourceFile from the new catalogue, no request in between seeing an empty store', async () => {
    const a = join(dir, 'items-a.jsonl');
    const b = join(dir, 'items-b.jsonl');
    writeFileSync(a, jsonLines(catalogue(5, 'A')));
    writeFileSync(b, jsonLines(catalogue(5, 'B')));
    const file = join(dir, 'reload.json');
    const config = (version: string, sourceFile: string) =>
      JSON.stringify({
        version,
        namespaces: {
          shop: {
            inferenceItemMetadata: { type: 'localdb', sourceFile },
            recommenders: { 'recommend-items': { top: top() } },
          },
        },
      });
    writeFileSync(file, config('v1', a));
    const run = startServe(['--config', file, '--port', '0'], { P13N_DATA_DIR: join(dir, 'reload-data') });
    try {
      const url = await listeningUrl(run);
      const seen: Array<{ version: string | null; names: Array<string | undefined> }> = [];
      let stop = false;
      const load = (async () => {
        for (let i = 0; !stop; i++) {
          const res = await fetch(`${url}/recommend-items/shop/top/u${i}?numResults=3`);
          const body = (await res.json()) as { itemList: Array<{ metadata?: { name: string } }> };
          seen.push({
            version: res.headers.get('x-personalization-config-version'),
            names: body.itemList.map((item) => item.metadata?.name),
          });
        }
      })();
      await sleep(300);
      writeFileSync(file, config('v2', b));
      try {
        await until(
          () => seen.find((s) => s.version === 'v2' && s.names.every((n) => n?.startsWith('B '))),
          'decorated answers from the new catalogue',
          15_000,
        );
      } finally {
        stop = true;
        await load;
      }
      // Every answer fully decorated from one catalogue; once the new one served, never the old one again.
      expect(seen.filter((s) => s.version === 'v1').length).toBeGreaterThan(0);
      const firstNew = seen.findIndex((s) => s.names[0] === 'B 1');
      seen.forEach((s, i) => {
        expect(s.names, `answer ${i} (${s.version})`).toEqual(
          i < firstNew ? ['A 1', 'A 2', 'A 3'] : ['B 1', 'B 2', 'B 3'],
        );
      });
      const firstV2 = seen.findIndex((s) => s.version === 'v2');
      expect(seen.slice(firstV2).map((s) => s.version)).toEqual(seen.slice(firstV2).map(() => 'v2'));
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
  });

  it('loses no exposure when SIGTERM arrives during load', { timeout: 60_000 }, async () => {
    const exposures = join(dir, 'exposures.jsonl');
    const file = join(dir, 'sigterm.json');
    writeFileSync(file, abConfig('s1', { type: 'file', path: exposures }));
    const run = startServe(['--config', file, '--port', '0'], { P13N_DATA_DIR: join(dir, 'sigterm-data') });
    const url = await listeningUrl(run);
    const served = new Set<string>();
    let next = 0;
    const client = async () => {
      for (;;) {
        const user = `user-${next++}`;
        try {
          const res = await fetch(`${url}/recommend-items/ab/top/${user}`);
          const body = (await res.json()) as { matchedExperiment?: unknown };
          if (res.status === 200 && body.matchedExperiment) served.add(user);
        } catch {
          return;
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    await until(() => (served.size >= 200 ? true : undefined), '200 served requests', 20_000);
    const signalled = performance.now();
    run.child.kill('SIGTERM');
    await Promise.all(clients);
    expect(await run.exited).toBe(0);
    // Clients keep their connections busy: serve must close them rather than wait for a quiet moment.
    expect(performance.now() - signalled).toBeLessThan(10_000);
    const recorded = new Set(
      readFileSync(exposures, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
        .filter((r) => r.kind === 'exposure')
        .map((r) => r.userId),
    );
    expect([...served].filter((user) => !recorded.has(user))).toEqual([]);
  });

  it('stops within its drain bound on SIGTERM when an event target hangs, saying what it abandoned', async () => {
    const hung = await startHungService();
    const file = join(dir, 'hung.json');
    writeFileSync(file, abConfig('h1', { type: 'kinesis-stream', streamName: 'exposures' }));
    const run = startServe(['--config', file, '--port', '0'], {
      P13N_DATA_DIR: join(dir, 'hung-data'),
      AWS_ENDPOINT_URL_KINESIS: hung.endpoint,
      P13N_SHUTDOWN_DRAIN_MS: '1000',
    });
    try {
      const url = await listeningUrl(run);
      expect((await fetch(`${url}/recommend-items/ab/top/u1`)).status).toBe(200);
      await until(() => (hung.accepted() > 0 ? true : undefined), 'the exposure to reach the hung target');
      const signalled = performance.now();
      run.child.kill('SIGTERM');
      const exited = await Promise.race([run.exited, sleep(6000).then(() => 'still running')]);
      expect(exited).toBe(0);
      expect(performance.now() - signalled).toBeLessThan(3000);
      expect(run.stderr()).toMatch(/abandoned/);
    } finally {
      run.child.kill('SIGKILL');
      await hung.stop();
    }
  });
});
