/**
 * Everything external gets a deadline and a bound: every AWS SDK client the project builds outside
 * connectors/ (which bounds its own) takes boundedClientConfig() — a connect timeout, a socket idle
 * timeout and a fixed number of attempts — or is built by shared/aws-clients.ts, which applies it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundedClientConfig, CONNECT_TIMEOUT_MS } from '../../shared/bounded-client-config.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FOLDERS = ['cli', 'control-plane', 'data-plane', 'experiments', 'contracts', 'schema', 'state-machines'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The text between the parentheses of each `new …Client(`, comments left out. */
function clientConstructions(text: string): Array<{ client: string; args: string }> {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: Array<{ client: string; args: string }> = [];
  for (const match of code.matchAll(/new (\w+Client)\(/g)) {
    let depth = 1;
    let i = match.index + match[0].length;
    const start = i;
    for (; i < code.length && depth > 0; i++) {
      if (code[i] === '(') depth++;
      else if (code[i] === ')') depth--;
    }
    found.push({ client: match[1]!, args: code.slice(start, i - 1) });
  }
  return found;
}

describe('AWS SDK clients outside connectors/', () => {
  it('are every one built with boundedClientConfig (connect and socket timeouts, bounded attempts)', () => {
    const unbounded = FOLDERS.flatMap((folder) => sources(join(ROOT, folder))).flatMap((file) =>
      clientConstructions(readFileSync(file, 'utf8'))
        .filter(({ args }) => !args.includes('boundedClientConfig('))
        .map(({ client }) => `${relative(ROOT, file)}: new ${client}(…)`),
    );
    expect(unbounded).toEqual([]);
  });

  it('bounded means a connect timeout, a socket idle timeout and a fixed number of attempts', async () => {
    const config = boundedClientConfig();
    expect(config.maxAttempts).toBe(3);
    const handler = config.requestHandler as unknown as { configProvider: Promise<Record<string, unknown>> };
    expect(await handler.configProvider).toMatchObject({
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: 30_000,
    });
  });
});
