import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assignByHash, bucketOf } from '../../../data-plane/experiments/hash-bucketing.ts';

const experiment = { weights: { a: 50, b: 30, c: 20 } };
const keys = ['a', 'b', 'c'];
const users = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

describe('hash bucketing', () => {
  it('spreads 10,000 users within ±2 points of 50/30/20', () => {
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (const user of users) counts[assignByHash('home-page', experiment, keys, user)!]! += 1;
    expect(Math.abs(counts.a! / 100 - 50)).toBeLessThanOrEqual(2);
    expect(Math.abs(counts.b! / 100 - 30)).toBeLessThanOrEqual(2);
    expect(Math.abs(counts.c! / 100 - 20)).toBeLessThanOrEqual(2);
  });

  it('gives every user the same variation on every call, whatever was asked in between', () => {
    const first = users.map((u) => assignByHash('home-page', experiment, keys, u));
    // Reverse order, interleaved with another experiment's assignments: no state carries over.
    const again = [...users]
      .reverse()
      .map((u) => {
        assignByHash('checkout', experiment, keys, u);
        return assignByHash('home-page', experiment, keys, u);
      })
      .reverse();
    expect(again).toEqual(first);
    expect(new Set(first)).toEqual(new Set(keys));
    // Another experiment buckets the same users independently.
    const other = users.map((u) => assignByHash('checkout', experiment, keys, u));
    expect(other.filter((v, i) => v !== first[i]).length).toBeGreaterThan(users.length / 4);
  });

  it('is the same in another process (no per-process seed)', () => {
    const here = users.slice(0, 50).map((u) => assignByHash('home-page', experiment, keys, u));
    const script = `
      import { assignByHash } from './data-plane/experiments/hash-bucketing.ts';
      const users = Array.from({ length: 50 }, (_, i) => 'user-' + i);
      console.log(JSON.stringify(users.map((u) => assignByHash('home-page', { weights: { a: 50, b: 30, c: 20 } }, ['a', 'b', 'c'], u))));
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual(here);
  });

  it('pins known buckets so a change of hash cannot slip in unnoticed', () => {
    expect(bucketOf('home-page', '', 'user-42')).toBeCloseTo(0.7549793517603562, 15);
    expect(assignByHash('home-page', experiment, keys, 'user-42')).toBe('b');
  });

  it('is the first 53 bits of SHA-256 over feature, salt and user, exactly, seen before or not', () => {
    // Past the 10,000 buckets kept, and each user twice.
    for (let i = 0; i < 24_000; i++) {
      const n = i % 12_000;
      const [feature, salt, user] = [`f${n % 7}`, n % 3 ? '' : `s${n}`, `user-${n}-${'é'.repeat(n % 4)}`];
      const digest = createHash('sha256').update(`${feature}\u0000${salt}\u0000${user}`).digest();
      expect(bucketOf(feature, salt, user)).toBe(Number(digest.readBigUInt64BE(0) >> 11n) / 2 ** 53);
    }
  });

  it('reshuffles users when the feature or the salt changes', () => {
    const base = users.map((u) => assignByHash('home-page', experiment, keys, u));
    const salted = users.map((u) => assignByHash('home-page', { ...experiment, salt: 'v2' }, keys, u));
    const renamed = users.map((u) => assignByHash('other', experiment, keys, u));
    const moved = (xs: Array<string | undefined>) => xs.filter((x, i) => x !== base[i]).length;
    expect(moved(salted)).toBeGreaterThan(4_000);
    expect(moved(renamed)).toBeGreaterThan(4_000);
  });

  it('never assigns zero-weight or unknown variations', () => {
    const assigned = new Set(
      users.map((u) => assignByHash('f', { weights: { a: 0, b: 100, ghost: 50 } }, ['a', 'b'], u)),
    );
    expect([...assigned]).toEqual(['b']);
  });

  it('assigns nobody when no weight is positive', () => {
    expect(assignByHash('f', { weights: { a: 0 } }, ['a', 'b'], 'u1')).toBeUndefined();
    expect(assignByHash('f', { weights: {} }, ['a', 'b'], 'u1')).toBeUndefined();
  });

  it('puts buckets in [0, 1)', () => {
    for (const u of users.slice(0, 1_000)) {
      const b = bucketOf('f', 's', u);
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(1);
    }
  });
});
