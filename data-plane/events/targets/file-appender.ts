/**
 * Appends to local files one write at a time per file, so lines of concurrent requests never
 * interleave. Texts handed over in one event-loop turn, or while a write is under way, are joined into
 * one write (group commit), so a busy file costs one system call per round rather than one per
 * request. Each file is kept open between rounds (opened for appending, its folder created on the
 * first open) and its size tracked in memory rather than looked up per round; at most once a second
 * the path is checked again, and when it no longer names the open file (rotated away or deleted) the
 * file is opened afresh at the path. One appender is shared by every `file` target of the app, because
 * two namespaces may write to the same file. A write that fails part-way (a full disk) is cut back to
 * the file's size before it, so no half record is left for the next one to be appended to; the file is
 * then closed and opened again for the next round.
 */
import { close, fstat, ftruncate, open, type Stats, stat, write } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** How often an open file's path is checked for a rotation or a deletion. */
const RECHECK_MS = 1000;

export interface FileAppender {
  append(path: string, text: string): Promise<void>;
}

/** A file opened for appending. */
export interface AppendFile {
  /** Writes all of `bytes` at the end of the file. */
  write(bytes: Buffer): Promise<void>;
  truncate(size: number): Promise<void>;
  close(): Promise<void>;
  /** The size of the file at `path` when that is still this file, else undefined (rotated or deleted). */
  sizeIfAt(path: string): Promise<number | undefined>;
}

/** The file operations the appender uses; tests pass a failing one. */
export interface AppendFileSystem {
  mkdir(folder: string): Promise<unknown>;
  /** Opens (creating) `path` for appending; `size` is its length then. */
  open(path: string): Promise<{ file: AppendFile; size: number }>;
}

const call = <T>(run: (done: (err: NodeJS.ErrnoException | null, value: T) => void) => void) =>
  new Promise<T>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value))));

function openNodeFile(fd: number, dev: number, ino: number): AppendFile {
  return {
    async write(bytes) {
      for (let at = 0; at < bytes.length; ) {
        at += await call<number>((done) => write(fd, bytes, at, bytes.length - at, null, done));
      }
    },
    truncate: (size) => call<void>((done) => ftruncate(fd, size, done)),
    close: () => call<void>((done) => close(fd, done)),
    async sizeIfAt(path) {
      try {
        const now = await call<Stats>((done) => stat(path, done));
        return now.dev === dev && now.ino === ino ? now.size : undefined;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
  };
}

export const nodeFileSystem: AppendFileSystem = {
  mkdir: (folder) => mkdir(folder, { recursive: true }),
  async open(path) {
    const fd = await call<number>((done) => open(path, 'a', done));
    try {
      const { dev, ino, size } = await call<Stats>((done) => fstat(fd, done));
      return { file: openNodeFile(fd, dev, ino), size };
    } catch (err) {
      close(fd, () => {});
      throw err;
    }
  },
};

interface Waiting {
  text: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Opened {
  file: AppendFile;
  /** The file's length after our last write. */
  size: number;
  checkedAt: number;
}

interface PathState {
  queue: Waiting[];
  /** A round is scheduled or under way. */
  busy: boolean;
  opened?: Opened;
}

/**
 * @example
 * const files = createFileAppender();
 * await files.append('/tmp/events/events.jsonl', '{"kind":"event"}\n');
 */
export function createFileAppender(
  fs: AppendFileSystem = nodeFileSystem,
  now: () => number = performance.now.bind(performance),
): FileAppender {
  const paths = new Map<string, PathState>();
  const folders = new Set<string>();

  async function openAt(path: string): Promise<Opened> {
    const folder = dirname(path);
    if (!folders.has(folder)) {
      await fs.mkdir(folder);
      folders.add(folder);
    }
    const { file, size } = await fs.open(path);
    return { file, size, checkedAt: now() };
  }

  /** The open file at `path`, opened afresh when the path names another file now. */
  async function current(path: string, state: PathState): Promise<Opened> {
    const opened = state.opened;
    if (opened && now() - opened.checkedAt < RECHECK_MS) return opened;
    if (opened) {
      const size = await opened.file.sizeIfAt(path).catch(() => undefined);
      if (size !== undefined) {
        // Another process may have appended too: the size to cut back to is the file's own.
        opened.size = size;
        opened.checkedAt = now();
        return opened;
      }
      state.opened = undefined;
      await opened.file.close().catch(() => {});
    }
    state.opened = await openAt(path);
    return state.opened;
  }

  async function drain(path: string, state: PathState): Promise<void> {
    while (state.queue.length > 0) {
      const round = state.queue.splice(0, state.queue.length);
      try {
        const opened = await current(path, state);
        const bytes = Buffer.from(round.length === 1 ? round[0]!.text : round.map((w) => w.text).join(''), 'utf8');
        try {
          await opened.file.write(bytes);
          opened.size += bytes.length;
        } catch (err) {
          // Leave the file as it was (if even that fails, the write's own error is the one to report),
          // and start the next round from a fresh open.
          await opened.file.truncate(opened.size).catch(() => {});
          if (state.opened === opened) state.opened = undefined;
          await opened.file.close().catch(() => {});
          throw err;
        }
        for (const w of round) w.resolve();
      } catch (err) {
        for (const w of round) w.reject(err);
      }
    }
    state.busy = false;
  }

  return {
    append(path, text) {
      return new Promise<void>((resolve, reject) => {
        let state = paths.get(path);
        if (!state) {
          state = { queue: [], busy: false };
          paths.set(path, state);
        }
        state.queue.push({ text, resolve, reject });
        if (state.busy) return;
        state.busy = true;
        // The rest of this turn's texts join the round.
        const scheduled = state;
        setImmediate(() => void drain(path, scheduled));
      });
    },
  };
}
