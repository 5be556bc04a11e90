/**
 * Runs `p13n` in this process through `main(argv)`, capturing what it prints and with extra environment
 * variables for the duration of the call (vitest workers each have their own `process.env`). One
 * spawned smoke test (test/cli/smoke.test.ts) covers the built bundle itself.
 */
import { format } from 'node:util';
import { vi } from 'vitest';
import { main } from '../../cli/main.ts';

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const into =
    (lines: string[]) =>
    (...a: unknown[]) => {
      lines.push(`${format(...a)}\n`);
    };
  const spies = [
    vi.spyOn(console, 'log').mockImplementation(into(stdout)),
    vi.spyOn(console, 'error').mockImplementation(into(stderr)),
    vi.spyOn(console, 'warn').mockImplementation(into(stderr)),
  ];
  try {
    const status = await main(args);
    return { status, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    for (const spy of spies) spy.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
