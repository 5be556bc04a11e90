/**
 * Configuration from a local JSON file, reloaded when the file changes. The folder is watched (not
 * the file) because editors and `mv` replace files, which would end a watch on the old inode; events
 * are debounced so a save that writes in several steps is read once. Where fs.watch is unavailable the
 * file is polled instead.
 */
import { type FSWatcher, type StatWatcher, unwatchFile, watch, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '../../shared/logger.ts';
import { ConfigHolder } from './config-holder.ts';
import type { ConfigProvider } from './types.ts';

export interface FileConfigProviderOptions {
  file: string;
  logger: Logger;
  /** Quiet period after the last change event before the file is read (default 100 ms). */
  debounceMs?: number;
  /** Poll interval when fs.watch is unavailable (default 1000 ms). */
  pollIntervalMs?: number;
}

/**
 * @example
 * const config = createFileConfigProvider({ file: 'samples/local/config.json', logger });
 * await config.start(); // throws ConfigLoadError listing every problem when the file is invalid
 * config.current().version;
 */
export function createFileConfigProvider(options: FileConfigProviderOptions): ConfigProvider {
  const path = resolve(options.file);
  const dir = dirname(path);
  const name = basename(path);
  const holder = new ConfigHolder(`file ${path}`, options.logger);
  const debounceMs = options.debounceMs ?? 100;
  let watcher: FSWatcher | undefined;
  let poller: StatWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reading = Promise.resolve();

  const load = async () => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      holder.failed(`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
      return;
    }
    await holder.apply(text, dir);
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      reading = reading.then(load).catch((err: unknown) => {
        options.logger.error('configuration reload failed', { source: holder.source, message: String(err) });
      });
    }, debounceMs);
    timer.unref();
  };

  return {
    source: holder.source,
    async start() {
      await load();
      try {
        watcher = watch(dir, { persistent: false }, (_event, changed) => {
          if (!changed || changed.toString() === name) schedule();
        });
        watcher.on('error', (err) => {
          options.logger.warn('watching the configuration folder failed; polling instead', {
            source: holder.source,
            message: err.message,
          });
          watcher?.close();
          watcher = undefined;
          poller ??= watchFile(path, { persistent: false, interval: options.pollIntervalMs ?? 1000 }, schedule);
        });
      } catch {
        poller = watchFile(path, { persistent: false, interval: options.pollIntervalMs ?? 1000 }, schedule);
      }
    },
    async stop() {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
      if (poller) unwatchFile(path, schedule);
      poller = undefined;
      await reading;
    },
    current: () => holder.current(),
    onChange: (listener) => holder.onChange(listener),
  };
}
