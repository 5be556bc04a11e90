import { describe, expect, it } from 'vitest';
import { recommendationIdFactory } from '../../../data-plane/experiments/recommendation-id.ts';
import { UUID_V7 } from '../helpers.ts';

describe('generated recommendation IDs', () => {
  it('are UUIDv7s carrying their millisecond, unique and in creation order even within one millisecond', () => {
    let now = Date.UTC(2026, 10, 2, 10);
    const newId = recommendationIdFactory(() => now);
    const ids: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      if (i % 1_000 === 0) now += 1;
      ids.push(newId());
    }
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(Number.parseInt(ids[0]!.replace('-', '').slice(0, 12), 16)).toBe(Date.UTC(2026, 10, 2, 10) + 1);
    expect(ids[0]!.length).toBeLessThanOrEqual(40);
  });

  it('keep increasing when the clock steps back', () => {
    let now = 2_000_000_000_000;
    const newId = recommendationIdFactory(() => now);
    const first = newId();
    now -= 5_000;
    expect(newId() > first).toBe(true);
  });

  it('take their random bits from the given source, marked with the RFC 9562 variant', () => {
    const sizes: number[] = [];
    const ones = (size: number) => {
      sizes.push(size);
      return new Uint8Array(size).fill(0xff);
    };
    let now = Date.UTC(2026, 10, 2, 10);
    const newId = recommendationIdFactory(() => now, ones);
    expect(newId()).toBe(
      `${now
        .toString(16)
        .padStart(12, '0')
        .replace(/^(.{8})/, '$1-')}-73ff-bfff-ffffffffffff`,
    );
    for (let i = 0; i < 2_000; i++) {
      now += 1;
      expect(newId()).toMatch(/-7[0-3]ff-bfff-ffffffffffff$/);
    }
    expect(sizes.length).toBeLessThan(10);
  });
});
