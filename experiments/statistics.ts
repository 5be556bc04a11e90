/**
 * The statistics of an experiment readout, on the user as the unit: a variation's conversion rate is
 * converted users / exposed users. Intervals are 95% and two-sided:
 * - a rate: Wilson's score interval (good coverage at small counts and near 0 or 1, never outside [0, 1]);
 * - a difference of rates: Newcombe's hybrid score interval (method 10 of Newcombe 1998), built from
 *   the two Wilson intervals;
 * - a relative lift (treatment / control − 1): the log risk-ratio interval (Katz et al. 1978);
 * - its p-value: the pooled two-proportion z-test (the same as Pearson's chi-square on the 2×2 table);
 * - sample-ratio mismatch: Pearson's chi-square goodness of fit of exposed users to the weights.
 */

/** z for a two-sided 95% interval: Φ⁻¹(0.975). */
export const Z_95 = 1.959963984540054;

export interface Interval {
  lower: number;
  upper: number;
}

/**
 * erfc(x) by Chebyshev fitting (Numerical Recipes, 2nd ed., §6.2): relative error below 1.2e-7 everywhere.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal CDF Φ(x). */
export const normalCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);

/** Two-sided p-value of a standard normal statistic. */
export const twoSidedP = (z: number): number => Math.min(1, erfc(Math.abs(z) / Math.SQRT2));

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9): about 15 significant digits. */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const y = x - 1;
  let a = c[0]!;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised upper incomplete gamma Q(a, x) (series below a + 1, Lentz's continued fraction above). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnPre = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lnPre));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(lnPre) * h;
}

/** Upper tail of the chi-square distribution: P(X ≥ x) with `dof` degrees of freedom. */
export const chiSquareP = (x: number, dof: number): number => gammaQ(dof / 2, x / 2);

/**
 * Wilson score interval for `successes` out of `trials` (undefined when trials is 0).
 *
 * @example
 * wilsonInterval(81, 263); // → { lower: 0.2553…, upper: 0.3662… }
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval | undefined {
  if (trials <= 0) return undefined;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/**
 * Newcombe's hybrid score interval for p1 − p2 (undefined when either group is empty).
 *
 * @example
 * differenceInterval(56, 70, 48, 80); // → { lower: 0.0524…, upper: 0.3339… }
 */
export function differenceInterval(x1: number, n1: number, x2: number, n2: number, z = Z_95): Interval | undefined {
  const w1 = wilsonInterval(x1, n1, z);
  const w2 = wilsonInterval(x2, n2, z);
  if (!w1 || !w2) return undefined;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const d = p1 - p2;
  return {
    lower: d - Math.sqrt((p1 - w1.lower) ** 2 + (w2.upper - p2) ** 2),
    upper: d + Math.sqrt((w1.upper - p1) ** 2 + (p2 - w2.lower) ** 2),
  };
}

/**
 * Interval for the relative lift p1 / p2 − 1 from the log risk ratio; undefined when either group has
 * no conversions (the ratio or its log is then infinite).
 */
export function relativeLiftInterval(x1: number, n1: number, x2: number, n2: number, z = Z_95): Interval | undefined {
  if (x1 <= 0 || x2 <= 0 || n1 <= 0 || n2 <= 0) return undefined;
  const logRatio = Math.log(x1 / n1 / (x2 / n2));
  const se = Math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2);
  return { lower: Math.exp(logRatio - z * se) - 1, upper: Math.exp(logRatio + z * se) - 1 };
}

/**
 * Two-sided p-value of the pooled two-proportion z-test; undefined when a group is empty or the pooled
 * rate is 0 or 1 (no variance: nothing to test).
 */
export function twoProportionP(x1: number, n1: number, x2: number, n2: number): number | undefined {
  if (n1 <= 0 || n2 <= 0) return undefined;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return undefined;
  return twoSidedP((x1 / n1 - x2 / n2) / se);
}

/**
 * Pearson chi-square goodness of fit of observed counts to expected shares (weights in any unit).
 * Undefined with fewer than two positive weights or no observations.
 *
 * @example
 * chiSquareGoodnessOfFit([821_588, 815_482], [50, 50]); // → { chiSquare: 22.77…, dof: 1, p: 1.8e-6 }
 */
export function chiSquareGoodnessOfFit(
  observed: readonly number[],
  weights: readonly number[],
): { chiSquare: number; dof: number; p: number } | undefined {
  const total = observed.reduce((a, b) => a + b, 0);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const cells = observed.map((o, i) => ({ o, w: weights[i] ?? 0 })).filter((c) => c.w > 0);
  if (total <= 0 || cells.length < 2 || weightSum <= 0) return undefined;
  let chiSquare = 0;
  for (const { o, w } of cells) {
    const expected = (total * w) / weightSum;
    chiSquare += (o - expected) ** 2 / expected;
  }
  const dof = cells.length - 1;
  return { chiSquare, dof, p: chiSquareP(chiSquare, dof) };
}
