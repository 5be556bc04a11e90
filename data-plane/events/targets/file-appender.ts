/**
 * Appends to local files one write at a time per file, so lines of concurrent requests never
 * interleave, and creates the file's folder on first use. One appender is shared by every `file`
 * target of the app, because two namespaces may write to the same file.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface FileAppender {
  append(path: string, text: string): Promise<void>;
}

/**
 * @example
 * const files = createFileAppender();
 * await files.append('/tmp/events/events.jsonl', '{"kind":"event"}\n');
 */
export function createFileAppender(): FileAppender {
  const queues = new Map<string, Promise<void>>();
  return {
    append(path, text) {
      const previous = queues.get(path) ?? Promise.resolve();
      const write = previous
        .catch(() => undefined)
        .then(async () => {
          await mkdir(dirname(path), { recursive: true });
          await appendFile(path, text, 'utf8');
        });
      queues.set(path, write);
      void write
        .finally(() => {
          if (queues.get(path) === write) queues.delete(path);
        })
        .catch(() => undefined);
      return write;
    },
  };
}
