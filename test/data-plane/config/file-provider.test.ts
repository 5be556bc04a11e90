import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileConfigProvider } from '../../../data-plane/config/file-provider.ts';
import { ConfigLoadError } from '../../../data-plane/config/types.ts';
import type { Logger } from '../../../shared/logger.ts';

const config = (version: string) => JSON.stringify({ version, namespaces: { shop: {} } });

function recordingLogger() {
  const lines: string[] = [];
  const log = (level: string) => (message: string) => lines.push(`${level} ${message}`);
  const logger: Logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  return { lines, logger };
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'p13n-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('file configuration provider', () => {
  it('loads, reloads on change (also when the file is replaced) and keeps the last good one on a bad edit', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, config('1'));
    const { lines, logger } = recordingLogger();
    const provider = createFileConfigProvider({ file, logger, debounceMs: 20 });
    await provider.start();
    expect(provider.current().version).toBe('1');

    writeFileSync(file, config('2'));
    await until(() => provider.current().version === '2', 'version 2');

    writeFileSync(file, '{ "version": "3", "namespaces": { "bad key!": {} } }');
    await until(() => lines.some((l) => l.startsWith('error new configuration rejected')), 'the rejection');
    expect(provider.current().version).toBe('2');

    writeFileSync(join(dir, 'next.json'), config('4'));
    await rename(join(dir, 'next.json'), file);
    await until(() => provider.current().version === '4', 'version 4 after an atomic replace');
    await provider.stop();
  });

  it('fails to start with every problem listed when the first configuration is invalid', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ namespaces: { 'bad key!': {} }, extra: 1 }));
    const provider = createFileConfigProvider({ file, logger: recordingLogger().logger });
    const err = await provider.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigLoadError);
    expect((err as ConfigLoadError).issues.length).toBeGreaterThan(0);
    expect((err as Error).message).toContain('invalid configuration');
    expect(() => provider.current()).toThrow(/start\(\)/);
  });

  it('fails to start when the file is missing or not JSON', async () => {
    const missing = createFileConfigProvider({ file: join(dir, 'nope.json'), logger: recordingLogger().logger });
    await expect(missing.start()).rejects.toThrow(/cannot read the file: ENOENT/);
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ nope');
    await expect(createFileConfigProvider({ file, logger: recordingLogger().logger }).start()).rejects.toThrow(
      /not valid JSON/,
    );
  });

  it('resolves relative paths in the configuration against the file’s folder', async () => {
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ namespaces: { shop: { eventTargets: [{ type: 'file', path: 'events.jsonl' }] } } }),
    );
    const provider = createFileConfigProvider({ file, logger: recordingLogger().logger });
    await provider.start();
    expect(provider.current().namespaces.get('shop')!.eventTargets[0]).toEqual({
      type: 'file',
      path: join(dir, 'events.jsonl'),
    });
    await provider.stop();
  });
});
