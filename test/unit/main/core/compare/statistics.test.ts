import { describe, expect, it } from 'vitest';
import { bootstrapMeanInterval, logGamma, modal, pairedTTest, pooledStd, regularizedIncompleteBeta, seedsNeeded, studentTTwoSidedP, summarize, welchTest, wilcoxonSignedRank } from '../../../../../src/main/core/compare/statistics.ts';

describe('summarize', () => {
  it('uses the sample standard deviation (n - 1), checked by hand', () => {
    // values 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32; sample var 32/7, population var 4.
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.n).toBe(8);
    expect(s.mean).toBe(5);
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(s.std).not.toBeCloseTo(2, 3);
    expect([s.min, s.max]).toEqual([2, 9]);
  });

  it('has no std for one value and refuses non-finite values', () => {
    expect(summarize([0.3]).std).toBeNull();
    expect(() => summarize([1, Number.NaN])).toThrow(/non-finite/);
    expect(() => summarize([])).toThrow(/no values/);
  });
});

describe('special functions', () => {
  it('logGamma matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(10.5)).toBeCloseTo(13.940625219403763, 10);
  });

  it('I_x(a, 1) = x^a and I_x(1, b) = 1 - (1-x)^b', () => {
    expect(regularizedIncompleteBeta(0.3, 2.5, 1)).toBeCloseTo(0.3 ** 2.5, 12);
    expect(regularizedIncompleteBeta(0.7, 1, 3)).toBeCloseTo(1 - 0.3 ** 3, 12);
  });

  it('Student t two-sided p-values match tables', () => {
    // df = 1 is Cauchy: P(|T| > 1) = 0.5 exactly.
    expect(studentTTwoSidedP(1, 1)).toBeCloseTo(0.5, 12);
    // Critical values: t_{0.975, 10} = 2.228138852, t_{0.995, 4} = 4.604094871.
    expect(studentTTwoSidedP(2.228138852, 10)).toBeCloseTo(0.05, 8);
    expect(studentTTwoSidedP(4.604094871, 4)).toBeCloseTo(0.01, 8);
    expect(studentTTwoSidedP(0, 7)).toBeCloseTo(1, 12);
  });
});

describe('welchTest', () => {
  it('matches a hand computation', () => {
    // a: mean 6, sample var 1 (5, 6, 7); b: mean 4, sample var 4 (2, 4, 6).
    // se = sqrt(1/3 + 4/3) = sqrt(5/3); t = 2 / sqrt(5/3) = 1.549193338
    // df = (5/3)^2 / ((1/3)^2/2 + (4/3)^2/2) = (25/9) / (17/18) = 50/17 = 2.941176
    const w = welchTest([5, 6, 7], [2, 4, 6])!;
    expect(w.meanDifference).toBe(2);
    expect(w.t).toBeCloseTo(1.549193338, 8);
    expect(w.df).toBeCloseTo(50 / 17, 10);
    expect(w.p).toBeCloseTo(studentTTwoSidedP(1.549193338, 50 / 17), 8);
    expect(w.p).toBeGreaterThan(0.2);
    expect(w.p).toBeLessThan(0.25);
  });

  it('is symmetric and needs two values per side', () => {
    const ab = welchTest([0.31, 0.32, 0.33], [0.3, 0.301, 0.299])!;
    const ba = welchTest([0.3, 0.301, 0.299], [0.31, 0.32, 0.33])!;
    expect(ab.t).toBeCloseTo(-ba.t, 12);
    expect(ab.p).toBeCloseTo(ba.p, 12);
    expect(welchTest([1], [1, 2])).toBeNull();
  });

  it('handles constant samples', () => {
    expect(welchTest([1, 1], [1, 1])!.p).toBe(1);
    expect(welchTest([1, 1], [2, 2])!.p).toBe(0);
  });
});

describe('modal', () => {
  it('finds the most frequent (k, d) and its agreement', () => {
    const m = modal([{ k: 5, d: 3 }, { k: 3, d: 1 }, { k: 5, d: 3 }]);
    expect(m.value).toEqual({ k: 5, d: 3 });
    expect(m.count).toBe(2);
    expect(m.agreement).toBeCloseTo(66.6667, 3);
  });

  it('breaks ties by first appearance', () => {
    expect(modal(['a', 'b', 'b', 'a']).value).toBe('a');
  });
});

describe('paired comparison (reference values: scipy 1.17 ttest_rel and wilcoxon(method="exact"))', () => {
  const seeds = (values: number[]) => new Map(values.map((v, i) => [i, v]));
  const a = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
  const b = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

  it('paired t-test matches scipy.stats.ttest_rel', () => {
    const t = pairedTTest(seeds(a), seeds(b))!;
    expect(t.n).toBe(9);
    expect(t.df).toBe(8);
    expect(t.t).toBeCloseTo(3.0353754156485917, 10);
    expect(t.p).toBeCloseTo(0.016176627434908088, 10);
    const issue = pairedTTest(seeds([0.38, 0.392, 0.501, 0.45, 0.41]), seeds([0.178, 0.534, 0.488, 0.3, 0.35]))!;
    expect(issue.t).toBeCloseTo(0.9484902775537274, 10);
    expect(issue.p).toBeCloseTo(0.3965886273241289, 10);
  });

  it('pairs only the seeds both sides ran', () => {
    const t = pairedTTest(new Map([[0, 1], [1, 2], [2, 4], [7, 100]]), new Map([[0, 0], [1, 1.5], [2, 2], [9, -100]]))!;
    expect(t.seeds).toEqual([0, 1, 2]);
    // d = 1, 0.5, 2: mean 7/6, sd 0.7637626...
    expect(t.meanDifference).toBeCloseTo(7 / 6, 12);
    expect(t.stdDifference).toBeCloseTo(Math.sqrt(((1 - 7 / 6) ** 2 + (0.5 - 7 / 6) ** 2 + (2 - 7 / 6) ** 2) / 2), 12);
    expect(pairedTTest(new Map([[0, 1]]), new Map([[0, 2]]))).toBeNull();
  });

  it('exact Wilcoxon signed-rank matches scipy', () => {
    const w = wilcoxonSignedRank(a, b)!;
    expect(w.n).toBe(9);
    expect(Math.min(w.wPlus, w.wMinus)).toBe(5);
    expect(w.p).toBeCloseTo(0.0390625, 12);
    const issue = wilcoxonSignedRank([0.38, 0.392, 0.501, 0.45, 0.41], [0.178, 0.534, 0.488, 0.3, 0.35])!;
    expect(Math.min(issue.wPlus, issue.wMinus)).toBe(3);
    expect(issue.p).toBeCloseTo(0.3125, 12);
  });

  it('Wilcoxon with ties and zeros: average ranks, zeros dropped, enumerated exactly (itertools enumeration: 12/64)', () => {
    // d = 1, 2, 2, 2, -2, 3 and a zero: ranks 1, 3.5 x 4, 6; W- = 3.5; 6 of 64 sign patterns have W+ <= 3.5.
    const w = wilcoxonSignedRank([1, 2, 3, 4, 5, 6, 9], [0, 0, 1, 2, 7, 3, 9])!;
    expect(w.n).toBe(6);
    expect(w.wMinus).toBe(3.5);
    expect(w.wPlus).toBe(17.5);
    expect(w.p).toBeCloseTo(0.1875, 12);
    // Three seeds all one way: the smallest two-sided p three seeds can give is 2/8.
    expect(wilcoxonSignedRank([1, 2, 3], [0, 0, 0])!.p).toBeCloseTo(0.25, 12);
    expect(wilcoxonSignedRank([1, 2], [1, 2])).toBeNull();
  });
});

describe('bootstrap interval of the mean', () => {
  it('is seeded: the same values give the same interval', () => {
    const v = [0.178, 0.534, 0.488, 0.3, 0.35];
    expect(bootstrapMeanInterval(v)).toEqual(bootstrapMeanInterval(v));
    expect(bootstrapMeanInterval(v, { seed: 1, resamples: 50 })).not.toEqual(bootstrapMeanInterval(v, { seed: 2, resamples: 50 }));
  });

  it('matches the exact resampling distribution', () => {
    // Two values: resample means 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4: the 2.5% and 97.5% quantiles are 0 and 1.
    const two = bootstrapMeanInterval([0, 1])!;
    expect([two.low, two.high]).toEqual([0, 1]);
    expect(two.resamples).toBe(10_000);
    // Three values: the smallest and the largest mean each have probability 1/27 > 2.5% (enumeration of 27 resamples).
    const three = bootstrapMeanInterval([0.38, 0.392, 0.501])!;
    expect(three.low).toBeCloseTo(0.38, 12);
    expect(three.high).toBeCloseTo(0.501, 12);
    // Five values: numpy with 2,000,000 resamples gives [0.2612, 0.4788].
    const five = bootstrapMeanInterval([0.178, 0.534, 0.488, 0.3, 0.35])!;
    expect(five.low).toBeCloseTo(0.2612, 2);
    expect(five.high).toBeCloseTo(0.4788, 2);
    expect(bootstrapMeanInterval([1])).toBeNull();
  });
});

describe('seeds needed (normal approximation, alpha 0.05 two-sided, power 0.8)', () => {
  it('matches n = (z_0.975 + z_0.8)^2 (sigma / delta)^2, per scipy.stats.norm.ppf: (1.95996 + 0.84162)^2 = 7.8489', () => {
    // sigma = delta: 7.85 -> 8 paired, 15.7 -> 16 per method unpaired.
    expect(seedsNeeded(0.1, 0.1, 'paired')).toBe(8);
    expect(seedsNeeded(-0.1, 0.1, 'pooled')).toBe(16);
    // sigma = 2 delta: 31.4 -> 32.
    expect(seedsNeeded(0.05, 0.1, 'paired')).toBe(32);
    // A big difference needs at least two seeds; none to resolve when there is no difference.
    expect(seedsNeeded(10, 0.1, 'paired')).toBe(2);
    expect(seedsNeeded(0, 0.1, 'paired')).toBeNull();
    expect(seedsNeeded(0.1, null, 'pooled')).toBeNull();
  });

  it('pooled std weights each sample by n - 1', () => {
    // s_a^2 = 1 (n 3), s_b^2 = 10 (n 5): (2 * 1 + 4 * 10) / 6 = 7.
    expect(pooledStd([0, 1, 2], [0, 2, 4, 6, 8])).toBeCloseTo(Math.sqrt(7), 12);
    expect(pooledStd([1], [0, 2])).toBeNull();
  });
});
