import { describe, expect, it } from 'vitest';
import { logGamma, modal, regularizedIncompleteBeta, studentTTwoSidedP, summarize, welchTest } from '../../../../../src/main/core/compare/statistics.ts';

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
