/**
 * The request log of `p13n serve`: control characters in a (percent-decoded) path are escaped, so one
 * response is one line, and lines are written in batches rather than one write per request.
 */
import { describe, expect, it } from 'vitest';
import { createRequestLog, escapeControl } from '../../../data-plane/node/request-log.ts';

describe('request log', () => {
  it('escapes newlines, carriage returns, terminal escapes, C1 controls and line separators', () => {
    expect(escapeControl('/a\nGET /forged 200\r\u001b[2J\u0085\u2028\u0000')).toBe(
      '/a\\x0aGET /forged 200\\x0d\\x1b[2J\\x85\\u2028\\x00',
    );
    expect(escapeControl('/recommend-items/retail/for-you/ü-1')).toBe('/recommend-items/retail/for-you/ü-1');
  });

  it('escapes exactly the Unicode controls (Cc) and the two separators, in every position', () => {
    const control = /^[\p{Cc}\u2028\u2029]$/u;
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      expect(escapeControl(`/a${c}`) !== `/a${c}`, `U+${code.toString(16)}`).toBe(control.test(c));
    }
    expect(escapeControl('\u0085/x')).toBe('\\x85/x');
  });

  it('writes one line per response, batched, and everything queued on flush', () => {
    const writes: string[] = [];
    const requests = createRequestLog((chunk) => writes.push(chunk), { flushMs: 60_000 });
    requests.log({ method: 'GET', path: '/x\n200 forged', status: 200, durationMs: 1.234 });
    requests.log({ method: 'POST', path: '/events', status: 202, durationMs: 0.05 });
    expect(writes).toEqual([]);
    requests.flush();
    expect(writes).toEqual(['GET /x\\x0a200 forged 200 1.2ms\nPOST /events 202 0.1ms\n']);
    requests.flush();
    expect(writes).toHaveLength(1);
  });

  it('writes at once when the buffer is full, and by itself after flushMs', async () => {
    const writes: string[] = [];
    const requests = createRequestLog((chunk) => writes.push(chunk), { flushMs: 5, maxBufferChars: 40 });
    requests.log({ method: 'GET', path: '/a-rather-long-path/that/fills/it', status: 200, durationMs: 1 });
    expect(writes).toHaveLength(1);
    requests.log({ method: 'GET', path: '/b', status: 200, durationMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(writes).toEqual(['GET /a-rather-long-path/that/fills/it 200 1.0ms\n', 'GET /b 200 1.0ms\n']);
  });
});
