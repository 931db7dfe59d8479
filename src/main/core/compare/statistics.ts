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

export interface PairedTest {
  /** Matched seeds (both sides ran them), ascending. */
  seeds: number[];
  n: number;
  /** Mean of a - b over the matched seeds. */
  meanDifference: number;
  /** Sample standard deviation of the differences (n - 1). */
  stdDifference: number;
  t: number;
  df: number;
  /** Two-sided p-value of the paired t-test. */
  p: number;
}

/**
 * The paired t-test over seeds both sides ran: t = mean(d) / (sd(d) / √n), df = n - 1, on d = a - b per seed;
 * null with fewer than 2 matched seeds.
 */
export function pairedTTest(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): PairedTest | null {
  const seeds = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
  if (seeds.length < 2) return null;
  const d = seeds.map((s) => a.get(s)! - b.get(s)!);
  const s = summarize(d);
  const std = s.std ?? 0;
  const n = seeds.length;
  if (std === 0) {
    const t = s.mean === 0 ? 0 : Math.sign(s.mean) * Infinity;
    return { seeds, n, meanDifference: s.mean, stdDifference: 0, t, df: n - 1, p: s.mean === 0 ? 1 : 0 };
  }
  const t = s.mean / (std / Math.sqrt(n));
  return { seeds, n, meanDifference: s.mean, stdDifference: std, t, df: n - 1, p: studentTTwoSidedP(t, n - 1) };
}

export interface WilcoxonTest {
  /** Pairs with a non-zero difference (zeros are dropped, Wilcoxon's method). */
  n: number;
  /** Sum of the ranks of the positive differences (a > b). */
  wPlus: number;
  /** Sum of the ranks of the negative differences. */
  wMinus: number;
  /** Exact two-sided p-value: P(min(W+, W-) <= observed) under H0, by enumerating all 2^n sign patterns. */
  p: number;
}

/**
 * Wilcoxon's signed-rank test on a - b, exact: zero differences are dropped, tied |d| share their average rank,
 * and the null distribution of W+ is enumerated over every sign pattern of the ranks (2^n, n <= 20), which is
 * exact with ties too. The two-sided p is 2 P(W+ <= min(W+, W-)), at most 1 (scipy's `method='exact'` for
 * untied data). null with no non-zero difference or more than 20 of them.
 */
export function wilcoxonSignedRank(a: readonly number[], b: readonly number[]): WilcoxonTest | null {
  if (a.length !== b.length) throw new Error('wilcoxonSignedRank: unpaired samples');
  const d = a.map((v, i) => v - b[i]!).filter((x) => x !== 0);
  const n = d.length;
  if (n === 0 || n > 20) return null;
  const order = d.map((x, i) => ({ abs: Math.abs(x), i })).sort((x, y) => x.abs - y.abs);
  const ranks = new Array<number>(n);
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && order[end + 1]!.abs === order[start]!.abs) end++;
    const average = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!.i] = average;
    start = end + 1;
  }
  const wPlus = d.reduce((sum, x, i) => sum + (x > 0 ? ranks[i]! : 0), 0);
  const total = (n * (n + 1)) / 2;
  const wMinus = total - wPlus;
  const observed = Math.min(wPlus, wMinus);
  // Ranks are multiples of 1/2: count sums in half-units.
  const half = ranks.map((r) => Math.round(2 * r));
  const counts = new Array<number>(2 * total + 1).fill(0);
  counts[0] = 1;
  let reach = 0;
  for (const r of half) {
    for (let s = reach; s >= 0; s--) if (counts[s]! > 0) counts[s + r] = counts[s + r]! + counts[s]!;
    reach += r;
  }
  let atMost = 0;
  for (let s = 0; s <= Math.round(2 * observed) + 1e-9; s++) atMost += counts[s]!;
  return { n, wPlus, wMinus, p: Math.min(1, (2 * atMost) / 2 ** n) };
}

/** mulberry32: a small seeded generator, so that a bootstrap interval is the same for the same runs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BootstrapInterval {
  low: number;
  high: number;
  /** 0.95. */
  level: number;
  resamples: number;
}

export const BOOTSTRAP_RESAMPLES = 10_000;

/**
 * Percentile bootstrap confidence interval of the mean: `resamples` resamples of the values with replacement
 * (seeded: the same values give the same interval), the mean of each, and their (1 - level)/2 and (1 + level)/2
 * quantiles (linear interpolation, numpy's default). null with fewer than 2 values. With 3 seeds the interval
 * can only span what those 3 values allow (its width understates the uncertainty); it is shown beside n.
 */
export function bootstrapMeanInterval(values: readonly number[], options: { resamples?: number; level?: number; seed?: number } = {}): BootstrapInterval | null {
  const n = values.length;
  if (n < 2) return null;
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const level = options.level ?? 0.95;
  const random = seededRandom(options.seed ?? 12);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += values[Math.floor(random() * n)]!;
    means[r] = sum / n;
  }
  means.sort();
  const at = (q: number): number => {
    const position = (resamples - 1) * q;
    const below = Math.floor(position);
    const above = Math.ceil(position);
    return means[below]! + (means[above]! - means[below]!) * (position - below);
  };
  return { low: at((1 - level) / 2), high: at((1 + level) / 2), level, resamples };
}

/** z_{0.975} and z_{0.8}: two-sided alpha 0.05, power 0.8. */
const Z_ALPHA = 1.959963984540054;
const Z_POWER = 0.8416212335729143;

/**
 * Seeds needed to resolve an observed difference δ with spread σ at two-sided alpha 0.05 and power 0.8, by the
 * normal approximation:
 *   paired (σ = sd of the per-seed differences):   n = ⌈((z_{1-α/2} + z_{1-β}) σ / δ)²⌉
 *   unpaired (σ = pooled sd, per method):          n = ⌈2 ((z_{1-α/2} + z_{1-β}) σ / δ)²⌉
 * with z_{0.975} = 1.95996 and z_{0.8} = 0.84162 ((z + z)² = 7.849). The t distribution of small samples needs a
 * seed or two more; the note says "about". null when δ = 0 (no difference to resolve) or σ is unknown;
 * 2 at least (a spread needs two seeds).
 */
export function seedsNeeded(difference: number, std: number | null, kind: 'paired' | 'pooled'): number | null {
  if (std === null || !Number.isFinite(std) || !Number.isFinite(difference) || difference === 0) return null;
  const ratio = ((Z_ALPHA + Z_POWER) * std) / Math.abs(difference);
  const n = Math.ceil((kind === 'paired' ? 1 : 2) * ratio * ratio - 1e-9);
  return Math.max(2, n);
}

/** The pooled sample standard deviation of two samples: √(((n_a - 1) s_a² + (n_b - 1) s_b²) / (n_a + n_b - 2)). */
export function pooledStd(a: readonly number[], b: readonly number[]): number | null {
  if (a.length < 2 || b.length < 2) return null;
  const sa = summarize(a).std!;
  const sb = summarize(b).std!;
  return Math.sqrt(((a.length - 1) * sa ** 2 + (b.length - 1) * sb ** 2) / (a.length + b.length - 2));
}
