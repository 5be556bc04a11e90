/**
 * Appends to local files one write at a time per file, so lines of concurrent requests never
 * interleave. Texts that arrive while a write is under way are joined into the next write (group
 * commit), so a busy file costs one system call per round rather than one per request. The file's
 * folder is created on its first write. One appender is shared by every `file` target of the app,
 * because two namespaces may write to the same file. A write that fails part-way (a full disk) is cut
 * back to the file's size before it, so no half record is left for the next one to be appended to.
 */
import { appendFile, mkdir, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface FileAppender {
  append(path: string, text: string): Promise<void>;
}

/** The file operations the appender uses; tests pass a failing one. */
export interface AppendFileSystem {
  mkdir(folder: string): Promise<unknown>;
  /** 0 when the file does not exist yet. */
  size(path: string): Promise<number>;
  appendFile(path: string, text: string): Promise<void>;
  truncate(path: string, size: number): Promise<void>;
}

export const nodeFileSystem: AppendFileSystem = {
  mkdir: (folder) => mkdir(folder, { recursive: true }),
  size: async (path) => {
    try {
      return (await stat(path)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
  },
  appendFile: (path, text) => appendFile(path, text, 'utf8'),
  truncate: (path, size) => truncate(path, size),
};

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
export function createFileAppender(fs: AppendFileSystem = nodeFileSystem): FileAppender {
  const queues = new Map<string, Waiting[]>();
  const folders = new Set<string>();

  async function drain(path: string, queue: Waiting[]): Promise<void> {
    while (queue.length > 0) {
      const round = queue.splice(0, queue.length);
      try {
        const folder = dirname(path);
        if (!folders.has(folder)) {
          await fs.mkdir(folder);
          folders.add(folder);
        }
        const before = await fs.size(path);
        try {
          await fs.appendFile(path, round.map((w) => w.text).join(''));
        } catch (err) {
          // Leave the file as it was; if even that fails, the write's own error is the one to report.
          await fs.truncate(path, before).catch(() => {});
          throw err;
        }
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
