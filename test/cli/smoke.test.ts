/** The one spawned CLI test: the bundle `npm ci` builds (dist/p13n.mjs) runs as the package's bin. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('p13n bundle', () => {
  it('runs a command from dist/p13n.mjs, with its exit status and output', () => {
    const ok = spawnSync(process.execPath, ['dist/p13n.mjs', 'validate', 'samples/config_simple.json'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe(
      'samples/config_simple.json: valid (version 1; 1 namespace, 3 recommenders, 3 variations, 1 event target)\n',
    );
    expect(ok.stderr).toBe('');
    const unknown = spawnSync(process.execPath, ['dist/p13n.mjs', 'frobnicate'], { cwd: ROOT, encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("p13n: unknown command 'frobnicate'");
  });
});
