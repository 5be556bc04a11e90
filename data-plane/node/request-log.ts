/**
 * The request log of `p13n serve`: one line per response (`GET /path 200 1.2ms`), buffered and written
 * in batches so logging stays on by default without costing throughput (a synchronous write per
 * request was a tenth of a cache hit's time). Paths arrive percent-decoded, so control characters are
 * escaped: a `%0A` in a URL must not start a forged log line.
 */
import type { ResponseInfo } from '../app.ts';

export interface RequestLog {
  /** Queues one line; written within `flushMs`, or at once when the buffer is full. */
  readonly log: (info: ResponseInfo) => void;
  /** Writes what is queued now (call before exiting). */
  flush(): void;
}

// C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;
// The same set without the global flag: a test allocates nothing, and most paths hold none.
const HAS_CONTROL = new RegExp(CONTROL.source, 'u');

/** `\n` → `\x0a`, `\u2028` → `\u2028` as text: the line stays one line and shows what was sent. */
export function escapeControl(text: string): string {
  if (!HAS_CONTROL.test(text)) return text;
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/**
 * @example
 * const requests = createRequestLog((chunk) => process.stdout.write(chunk));
 * wireDataPlane({ …, onResponse: requests.log });
 * process.once('exit', requests.flush);
 */
export function createRequestLog(
  write: (chunk: string) => void,
  { flushMs = 50, maxBufferChars = 64 * 1024 }: { flushMs?: number; maxBufferChars?: number } = {},
): RequestLog {
  let buffer = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (buffer === '') return;
    const chunk = buffer;
    buffer = '';
    write(chunk);
  };
  return {
    log({ method, path, status, durationMs }) {
      buffer += `${method} ${escapeControl(path)} ${status} ${durationMs.toFixed(1)}ms\n`;
      if (buffer.length >= maxBufferChars) flush();
      else if (!timer) timer = setTimeout(flush, flushMs).unref();
    },
    flush,
  };
}
