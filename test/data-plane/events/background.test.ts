import { describe, expect, it, vi } from 'vitest';
import { createBackgroundTasks } from '../../../data-plane/events/background.ts';
import type { Metrics } from '../../../data-plane/metrics.ts';
import type { Logger } from '../../../shared/logger.ts';

function recordingLogger() {
  const errors: string[] = [];
  const logger = { error: (message: string) => errors.push(message), warn: () => {}, info: () => {}, debug: () => {} };
  return { logger: logger as unknown as Logger, errors };
}

function countingMetrics() {
  const counts = new Map<string, number>();
  const metrics = {
    add: (name: string, _unit: string, value: number) => counts.set(name, (counts.get(name) ?? 0) + value),
  };
  return { metrics: metrics as unknown as Metrics, counts };
}

/** A task that settles only when its signal aborts, with the abort's reason. */
const hang = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

describe('background tasks', () => {
  it('aborts a task that outlives its time limit and logs it under its label', async () => {
    vi.useFakeTimers();
    try {
      const { logger, errors } = recordingLogger();
      const background = createBackgroundTasks({ logger, taskTimeoutMs: 1000 });
      const reasons: unknown[] = [];
      background.run('exposure delivery', (signal) =>
        hang(signal).catch((err: unknown) => {
          reasons.push(err);
          throw err;
        }),
      );
      await vi.advanceTimersByTimeAsync(1000);
      await background.idle();
      expect(reasons).toEqual([expect.objectContaining({ name: 'TimeoutError' })]);
      expect(errors).toEqual(['exposure delivery failed']);
      expect(background.pending()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('gives tasks started close together one time limit, and a later task a fresh one', async () => {
    vi.useFakeTimers();
    try {
      let clock = 0;
      const { logger } = recordingLogger();
      const background = createBackgroundTasks({ logger, taskTimeoutMs: 1000, now: () => clock });
      const aborted: string[] = [];
      const track = (name: string) => (signal: AbortSignal) => hang(signal).catch(() => void aborted.push(name));
      for (let i = 0; i < 30; i++) background.run('early', track(`early-${i}`));
      await vi.advanceTimersByTimeAsync(500);
      clock = 500;
      background.run('late', track('late'));
      await vi.advanceTimersByTimeAsync(500);
      expect(aborted).toHaveLength(30);
      expect(aborted).not.toContain('late');
      await vi.advanceTimersByTimeAsync(500);
      expect(aborted).toContain('late');
      expect(background.pending()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('drops a task beyond the bound with an error log and a metric', async () => {
    const { logger, errors } = recordingLogger();
    const { metrics, counts } = countingMetrics();
    const background = createBackgroundTasks({ logger, metrics, maxPending: 2 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let ran = 0;
    for (let i = 0; i < 3; i++)
      background.run('exposure delivery', async () => {
        ran++;
        await gate;
      });
    expect(background.pending()).toBe(2);
    expect(errors).toEqual(['exposure delivery dropped: too much background work in flight']);
    expect(counts.get('BackgroundTaskDropped')).toBe(1);
    release();
    await background.idle();
    expect(ran).toBe(2);
  });

  it('drains what finishes in time and aborts and reports the rest', async () => {
    const { logger, errors } = recordingLogger();
    const { metrics, counts } = countingMetrics();
    const background = createBackgroundTasks({ logger, metrics });
    let finished = false;
    background.run('quick', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      finished = true;
    });
    background.run('hung', hang);
    expect(await background.drain(50)).toBe(1);
    expect(finished).toBe(true);
    expect(errors).toContain('background work abandoned at the drain bound');
    expect(counts.get('BackgroundTaskAbandoned')).toBe(1);
    expect(background.pending()).toBe(0);
  });
});
