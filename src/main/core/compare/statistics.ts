/**
 * Seed-aware statistics for comparing methods. The spread is the **sample** standard deviation (n - 1): a
 * population std understates the ± that goes into a paper. Between two methods, Welch's t-test (unequal
 * variances) with the Welch-Satterthwaite degrees of freedom and a two-sided p-value.
 */

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (divides by n - 1); null when n < 2. */
  std: number | null;
  min: number;
  max: number;
  values: number[];
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no values');
  for (const v of values) if (!Number.isFinite(v)) throw new Error(`summarize: non-finite value ${v}`);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n < 2 ? null : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { n, mean, std, min: Math.min(...values), max: Math.max(...values), values: [...values] };
}

export interface WelchTest {
  t: number;
  df: number;
  /** Two-sided p-value. */
  p: number;
  /** Mean of a minus mean of b. */
  meanDifference: number;
}

/** Welch's unequal-variances t-test of a against b; null when either side has fewer than 2 values. */
export function welchTest(a: readonly number[], b: readonly number[]): WelchTest | null {
  if (a.length < 2 || b.length < 2) return null;
  const sa = summarize(a);
  const sb = summarize(b);
  const va = (sa.std ?? 0) ** 2 / sa.n;
  const vb = (sb.std ?? 0) ** 2 / sb.n;
  const meanDifference = sa.mean - sb.mean;
  const se = Math.sqrt(va + vb);
  if (se === 0) {
    // Both samples constant: identical means are no evidence of a difference; different ones are certain.
    return { t: meanDifference === 0 ? 0 : Math.sign(meanDifference) * Infinity, df: sa.n + sb.n - 2, p: meanDifference === 0 ? 1 : 0, meanDifference };
  }
  const t = meanDifference / se;
  const df = (va + vb) ** 2 / (va ** 2 / (sa.n - 1) + vb ** 2 / (sb.n - 1));
  return { t, df, p: studentTTwoSidedP(t, df), meanDifference };
}

/** P(|T| >= |t|) for Student's t with df degrees of freedom: I_{df/(df+t^2)}(df/2, 1/2). */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** I_x(a, b) by Lentz's continued fraction (Numerical Recipes, betacf), accurate to ~1e-14. */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(lnFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** ln Γ(x) by the Lanczos approximation (g = 7, n = 9), relative error ~1e-15 for x > 0. */
export function logGamma(x: number): number {
  const g = 7;
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = coefficients[0]!;
  for (let i = 1; i < g + 2; i++) sum += coefficients[i]! / (z + i);
  const t = z + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

export interface ModalChoice<T> {
  value: T;
  count: number;
  /** count / n, in percent. */
  agreement: number;
}

/**
 * The most frequent value and how many agree on it (ties go to the value seen first, so the result is
 * deterministic for a given run order).
 */
export function modal<T>(values: readonly T[], key: (value: T) => string = (v) => JSON.stringify(v)): ModalChoice<T> {
  if (values.length === 0) throw new Error('modal: no values');
  const counts = new Map<string, { value: T; count: number }>();
  for (const v of values) {
    const k = key(v);
    const entry = counts.get(k);
    if (entry) entry.count += 1;
    else counts.set(k, { value: v, count: 1 });
  }
  let best: { value: T; count: number } | undefined;
  for (const entry of counts.values()) if (best === undefined || entry.count > best.count) best = entry;
  const chosen = best!;
  return { value: chosen.value, count: chosen.count, agreement: (100 * chosen.count) / values.length };
}
