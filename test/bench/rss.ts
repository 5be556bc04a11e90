/** Resident memory split as Linux reports it: anonymous (heap, buffers) and file-backed (e.g. LMDB maps). */
import { readFileSync } from 'node:fs';

/** RssAnon / RssFile from /proc (Linux); elsewhere the whole RSS as anonymous. */
export function rssParts(): { anon: number; file: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
    return { anon: kb('RssAnon'), file: kb('RssFile') };
  } catch {
    return { anon: process.memoryUsage().rss, file: 0 };
  }
}
