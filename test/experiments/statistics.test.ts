import { describe, expect, it } from 'vitest';
import {
  chiSquareGoodnessOfFit,
  chiSquareP,
  differenceInterval,
  normalCdf,
  relativeLiftInterval,
  twoProportionP,
  wilsonInterval,
} from '../../experiments/statistics.ts';
import { seededRandom } from './fixture.ts';

describe('statistics against published worked examples', () => {
  it('Wilson score intervals: Newcombe (1998a), Statistics in Medicine 17:857–872, Table I', () => {
    const cases: Array<[number, number, number, number]> = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [x, n, lower, upper] of cases) {
      const ci = wilsonInterval(x, n)!;
      expect(ci.lower).toBeCloseTo(lower, 4);
      expect(ci.upper).toBeCloseTo(upper, 4);
    }
  });

  it('differences of proportions: Newcombe (1998b), Statistics in Medicine 17:873–890, Table II, method 10', () => {
    const cases: Array<[number, number, number, number, number, number]> = [
      [56, 70, 48, 80, 0.0524, 0.3339],
      [9, 10, 3, 10, 0.1705, 0.809],
      [5, 56, 0, 29, -0.0381, 0.1926],
    ];
    for (const [x1, n1, x2, n2, lower, upper] of cases) {
      const ci = differenceInterval(x1, n1, x2, n2)!;
      expect(ci.lower).toBeCloseTo(lower, 4);
      expect(ci.upper).toBeCloseTo(upper, 4);
    }
  });

  it('sample-ratio mismatch: Kohavi, Tang & Xu (2020), Trustworthy Online Controlled Experiments, ch. 21', () => {
    // 821,588 users in control and 815,482 in treatment of a 50/50 experiment: p ≈ 1.8e-6.
    const srm = chiSquareGoodnessOfFit([821_588, 815_482], [50, 50])!;
    expect(srm.dof).toBe(1);
    expect(srm.p).toBeGreaterThan(1.7e-6);
    expect(srm.p).toBeLessThan(1.9e-6);
  });

  it('normal and chi-square tails match the standard tables (Abramowitz & Stegun 26.2, 26.4)', () => {
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 7);
    expect(normalCdf(-2.575829303548901)).toBeCloseTo(0.005, 7);
    expect(chiSquareP(3.841458820694124, 1)).toBeCloseTo(0.05, 10);
    expect(chiSquareP(5.991464547107979, 2)).toBeCloseTo(0.05, 10);
    expect(chiSquareP(11.070497693516351, 5)).toBeCloseTo(0.05, 10);
    expect(chiSquareP(0, 3)).toBe(1);
  });

  it('the pooled z-test equals the 2×2 Pearson chi-square test', () => {
    const [a, n1, c, n2] = [140, 200, 255, 340];
    const total = a + c;
    const expected = [
      [(n1 * total) / (n1 + n2), (n1 * (n1 + n2 - total)) / (n1 + n2)],
      [(n2 * total) / (n1 + n2), (n2 * (n1 + n2 - total)) / (n1 + n2)],
    ];
    const observed = [
      [a, n1 - a],
      [c, n2 - c],
    ];
    let chi = 0;
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) chi += (observed[i]![j]! - expected[i]![j]!) ** 2 / expected[i]![j]!;
    // erfc is good to 1.2e-7 relative, the incomplete gamma to about 1e-15.
    expect(twoProportionP(a, n1, c, n2)).toBeCloseTo(chiSquareP(chi, 1), 6);
  });

  it('says nothing rather than divide by zero', () => {
    expect(wilsonInterval(0, 0)).toBeUndefined();
    expect(differenceInterval(1, 10, 0, 0)).toBeUndefined();
    expect(relativeLiftInterval(3, 10, 0, 10)).toBeUndefined();
    expect(twoProportionP(0, 10, 0, 10)).toBeUndefined();
    expect(chiSquareGoodnessOfFit([0, 0], [50, 50])).toBeUndefined();
  });
});

/** Binomial(n, p) draw: sum of n Bernoulli trials from the seeded generator. */
function binomial(random: () => number, n: number, p: number): number {
  let x = 0;
  for (let i = 0; i < n; i++) if (random() < p) x++;
  return x;
}

describe('coverage in simulation with known true rates (10% control, 12% treatment, 20,000 users)', () => {
  // 1,000 seeded experiments: each interval should cover the truth about 95% of the time. With 1,000
  // runs the standard error of a 95% coverage is 0.7 points, so [93%, 97%] is about ±3 standard errors.
  const RUNS = 1_000;
  const N = 10_000;
  const [pc, pt] = [0.1, 0.12];
  const random = seededRandom(20_261_129);
  const covered = { control: 0, treatment: 0, difference: 0, lift: 0, nullRejected: 0, srm: 0 };
  for (let run = 0; run < RUNS; run++) {
    // Users split 50/50 at random, as hash bucketing does.
    const nc = binomial(random, 2 * N, 0.5);
    const nt = 2 * N - nc;
    const xc = binomial(random, nc, pc);
    const xt = binomial(random, nt, pt);
    const inside = (ci: { lower: number; upper: number } | undefined, truth: number) =>
      ci !== undefined && ci.lower <= truth && truth <= ci.upper ? 1 : 0;
    covered.control += inside(wilsonInterval(xc, nc), pc);
    covered.treatment += inside(wilsonInterval(xt, nt), pt);
    covered.difference += inside(differenceInterval(xt, nt, xc, nc), pt - pc);
    covered.lift += inside(relativeLiftInterval(xt, nt, xc, nc), pt / pc - 1);
    if ((chiSquareGoodnessOfFit([nc, nt], [50, 50])?.p ?? 1) < 0.001) covered.srm += 1;
    // An A/A comparison from the same run: two halves of the control rate.
    const xa = binomial(random, nt, pc);
    if ((twoProportionP(xa, nt, xc, nc) ?? 1) < 0.05) covered.nullRejected += 1;
  }
  const share = (k: keyof typeof covered) => covered[k] / RUNS;

  it.each(['control', 'treatment', 'difference', 'lift'] as const)('%s: 95% intervals cover the true value', (k) => {
    expect(share(k)).toBeGreaterThan(0.93);
    expect(share(k)).toBeLessThan(0.97);
  });

  it('p < 0.05 in about 5% of A/A comparisons, and the SRM check almost never fires on a fair split', () => {
    expect(share('nullRejected')).toBeGreaterThan(0.03);
    expect(share('nullRejected')).toBeLessThan(0.07);
    expect(share('srm')).toBeLessThan(0.006);
    console.log(
      `coverage over ${RUNS} runs: control ${share('control')}, treatment ${share('treatment')}, difference ${share('difference')}, lift ${share('lift')}; A/A false positives ${share('nullRejected')}; SRM flags ${share('srm')}`,
    );
  });
});
