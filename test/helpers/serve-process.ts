/** Runs `p13n serve` as a real child process for end-to-end tests, capturing its output. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function startServe(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, ['dist/p13n.mjs', 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, P13N_CONFIG: '', PORT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => {
    out += c;
  });
  child.stderr!.on('data', (c) => {
    err += c;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

export async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  for (let i = 0; i < timeoutMs / 25; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits for the "listening on" line and returns the server's base URL. */
export function listeningUrl(running: Running): Promise<string> {
  return until(() => running.stdout().match(/listening on (http:\/\/\S+)/)?.[1], 'p13n serve to listen', 60_000);
}

/**
 * A copy of the embedded default configuration (`samples/local/config.json`) in `dir`, its sample files
 * referenced by absolute path and its `file` event target pointed into `dir`, so a test serving it writes
 * nothing into the project's `data/` folder.
 */
export function embeddedDefaultConfig(dir: string): string {
  const sampleDir = join(ROOT, 'samples', 'local');
  const config = JSON.parse(readFileSync(join(sampleDir, 'config.json'), 'utf8'));
  delete config.$schema;
  const text = JSON.stringify(config)
    .replaceAll('"items.jsonl"', JSON.stringify(join(sampleDir, 'items.jsonl')))
    .replaceAll('"interactions.csv"', JSON.stringify(join(sampleDir, 'interactions.csv')))
    .replaceAll('"../../data/events.jsonl"', JSON.stringify(join(dir, 'events.jsonl')));
  const file = join(dir, 'config.json');
  writeFileSync(file, text);
  return file;
}
