import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { beforeDeadline, NO_DEADLINE, startDeadline } from '../../data-plane/deadline.ts';
import { DeadlineExceededError } from '../../data-plane/errors.ts';

/** A task that never settles and ignores its signal, remembering the signal it was given. */
function hung() {
  const seen: AbortSignal[] = [];
  const task = (signal: AbortSignal) => {
    seen.push(signal);
    return new Promise<never>(() => {});
  };
  return { seen, task };
}

describe('request deadline', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('settles a step that ignores its signal at the deadline, with a 504 and the step aborted', async () => {
    const deadline = startDeadline(100);
    const { seen, task } = hung();
    const step = beforeDeadline(deadline, 'item metadata store', task).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    const err = await step;
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(err).toMatchObject({
      status: 504,
      message: "item metadata store did not finish within the request's 100 ms budget",
    });
    expect(seen[0]).toBe(deadline.signal);
    expect(seen[0]!.aborted).toBe(true);
    expect((seen[0]!.reason as DOMException).name).toBe('TimeoutError');
  });

  it("gives a capped step a signal of its own, aborted at the cap with AbortSignal.timeout's reason", async () => {
    const deadline = startDeadline(1000);
    const { seen, task } = hung();
    const step = beforeDeadline(deadline, 'origin', task, 50).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    const err = (await step) as DOMException;
    expect(err.name).toBe('TimeoutError');
    expect(seen[0]).not.toBe(deadline.signal);
    expect(seen[0]!.aborted).toBe(true);
    expect(seen[0]!.reason).toBe(err);
    expect(deadline.signal.aborted).toBe(false);
  });

  it('aborts a capped step at the deadline when that comes first', async () => {
    const deadline = startDeadline(30);
    const { seen, task } = hung();
    const step = beforeDeadline(deadline, 'origin', task, 3000).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(30);
    expect(await step).toBeInstanceOf(DeadlineExceededError);
    expect(seen[0]!.aborted).toBe(true);
    expect(seen[0]!.reason).toBe(deadline.signal.reason);
  });

  it('passes on what a step answers or throws, and leaves its signal alone once it has settled', async () => {
    const deadline = startDeadline(100);
    const signals: AbortSignal[] = [];
    const answer = async (signal: AbortSignal) => {
      signals.push(signal);
      return 7;
    };
    expect(await beforeDeadline(deadline, 'a', answer, 50)).toBe(7);
    const failure = new Error('store down');
    await expect(beforeDeadline(deadline, 'b', async () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(
      beforeDeadline(deadline, 'c', () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    await vi.advanceTimersByTimeAsync(200);
    expect(signals[0]!.aborted).toBe(false);
  });

  it('does not start a step once the budget is spent, and a signal asked for late is already aborted', async () => {
    const deadline = startDeadline(10);
    await vi.advanceTimersByTimeAsync(10);
    expect(deadline.remaining()).toBe(0);
    const task = vi.fn(async () => 1);
    await expect(beforeDeadline(deadline, 'late', task)).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(task).not.toHaveBeenCalled();
    expect(deadline.signal.aborted).toBe(true);
  });

  it('reports a step that fails after its deadline passed as the deadline, keeping the failure as cause', async () => {
    const deadline = startDeadline(10);
    let fail!: (err: Error) => void;
    const step = beforeDeadline(deadline, 'slow', () => new Promise((_, reject) => (fail = reject))).catch(
      (e: unknown) => e,
    );
    const disposed = startDeadline(10);
    disposed.dispose();
    await vi.advanceTimersByTimeAsync(10);
    fail(new Error('too late'));
    expect(await step).toBeInstanceOf(DeadlineExceededError);
    expect(disposed.signal.aborted).toBe(false);
  });

  it('never runs out without a deadline, yet still caps a step', async () => {
    expect(NO_DEADLINE.remaining()).toBe(Number.POSITIVE_INFINITY);
    const { task } = hung();
    const step = beforeDeadline(NO_DEADLINE, 'origin', task, 20).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(20);
    expect(((await step) as DOMException).name).toBe('TimeoutError');
    expect(NO_DEADLINE.signal.aborted).toBe(false);
  });
});
