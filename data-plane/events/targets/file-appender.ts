/**
 * Appends to local files one write at a time per file, so lines of concurrent requests never
 * interleave. Texts that arrive while a write is under way are joined into the next write (group
 * commit), so a busy file costs one system call per round rather than one per request. The file's
 * folder is created on its first write. One appender is shared by every `file` target of the app,
 * because two namespaces may write to the same file.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface FileAppender {
  append(path: string, text: string): Promise<void>;
}

interface Waiting {
  text: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * @example
 * const files = createFileAppender();
 * await files.append('/tmp/events/events.jsonl', '{"kind":"event"}\n');
 */
export function createFileAppender(): FileAppender {
  const queues = new Map<string, Waiting[]>();
  const folders = new Set<string>();

  async function drain(path: string, queue: Waiting[]): Promise<void> {
    while (queue.length > 0) {
      const round = queue.splice(0, queue.length);
      try {
        const folder = dirname(path);
        if (!folders.has(folder)) {
          await mkdir(folder, { recursive: true });
          folders.add(folder);
        }
        await appendFile(path, round.map((w) => w.text).join(''), 'utf8');
        for (const w of round) w.resolve();
      } catch (err) {
        for (const w of round) w.reject(err);
      }
    }
    queues.delete(path);
  }

  return {
    append(path, text) {
      return new Promise<void>((resolve, reject) => {
        const queue = queues.get(path);
        if (queue) {
          queue.push({ text, resolve, reject });
          return;
        }
        const fresh: Waiting[] = [{ text, resolve, reject }];
        queues.set(path, fresh);
        void drain(path, fresh);
      });
    },
  };
}
