import { describe, expect, it, vi } from 'vitest';
import { createPoller } from '../../shared/poller.ts';
import { backoffDelay } from '../../shared/retry.ts';

describe('createPoller', () => {
  it('joins concurrent runs, repeats after the delay and reports failed scheduled runs', async () => {
    vi.useFakeTimers();
    try {
      let calls = 0;
      const errors: unknown[] = [];
      const poller = createPoller({
        task: async () => {
          calls += 1;
          if (calls === 3) throw new Error('third fails');
          return calls;
        },
        delayMs: () => 1000,
        onError: (err) => errors.push(err),
      });
      const [a, b] = await Promise.all([poller.run(), poller.run()]);
      expect([a, b, calls]).toEqual([1, 1, 1]);
      poller.start();
      await vi.advanceTimersByTimeAsync(1000);
      expect(calls).toBe(2);
      await vi.advanceTimersByTimeAsync(1000);
      expect(calls).toBe(3);
      expect(errors).toEqual([new Error('third fails')]);
      await vi.advanceTimersByTimeAsync(1000);
      expect(calls).toBe(4);
      await poller.stop();
      await vi.advanceTimersByTimeAsync(5000);
      expect(calls).toBe(4);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, half of it jittered', () => {
    const policy = { baseDelayMs: 20, maxDelayMs: 400 };
    expect([0, 1, 2, 3, 4, 5].map((r) => backoffDelay(r, { ...policy, random: () => 1 }))).toEqual([
      20, 40, 80, 160, 320, 400,
    ]);
    expect([0, 5].map((r) => backoffDelay(r, { ...policy, random: () => 0 }))).toEqual([10, 200]);
  });
});
