/** Runs `p13n serve` as a real child process for end-to-end tests, capturing its output. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

export function startServe(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, ['cli/p13n.mjs', 'serve', ...args], {
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
