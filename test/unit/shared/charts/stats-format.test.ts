import { describe, expect, it } from 'vitest';
import { decimalsFor, fixed, formatCount, formatMeanStd, formatNumber, formatP, formatSeconds } from '../../../../src/shared/charts/format.ts';
import { boxStatistics, meanStd, quantile } from '../../../../src/shared/charts/stats.ts';

describe('chart statistics', () => {
  it('meanStd uses the sample std (n - 1) and has none for one value', () => {
    const s = meanStd([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s.mean).toBe(5);
    // Population std of these values is exactly 2; the sample std is sqrt(32 / 7).
    expect(s.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(meanStd([3])).toEqual({ n: 1, mean: 3, std: null });
    expect(() => meanStd([])).toThrow(/no values/);
  });

  it('quantiles interpolate between order statistics as numpy does (type 7)', () => {
    // numpy.percentile([1, 2, 3, 4], [25, 50, 75]) -> 1.75, 2.5, 3.25
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
    expect(quantile([1, 2, 3, 4], 0.75)).toBeCloseTo(3.25, 12);
    expect(boxStatistics([6.9, 6.3, 6.6])).toEqual([6.3, 6.45, 6.6, 6.75, 6.9].map((v, i) => (i === 1 || i === 3 ? expect.closeTo(v, 12) : v)));
    expect(boxStatistics([5])).toEqual([5, 5, 5, 5, 5]);
  });
});

describe('number formats', () => {
  it('writes mean ± std to two significant digits of the std', () => {
    expect(formatMeanStd(6.6, 0.33)).toBe('6.60 ± 0.33');
    expect(formatMeanStd(0.0079, 0.002)).toBe('0.0079 ± 0.0020');
    expect(formatMeanStd(75, 17.677669)).toBe('75 ± 18');
    expect(formatMeanStd(5.8999999999999995, 0.10000000000000009)).toBe('5.90 ± 0.10');
    // No std (n = 1): four significant digits of the mean; a zero std (all seeds equal) is still shown.
    expect(formatMeanStd(87.5, null)).toBe('87.50');
    expect(formatMeanStd(0.3, 0)).toBe('0.3000 ± 0.0000');
    expect(decimalsFor(1234.5, null)).toBe(0);
  });

  it('never writes a negative zero and keeps small and huge numbers readable', () => {
    expect(fixed(-0.0001, 2)).toBe('0.00');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(null)).toBe('–');
    expect(formatNumber(12345)).toBe('12345');
    expect(formatNumber(0.00001234)).toBe('1.234e-5');
    expect(formatNumber(2.5e7)).toBe('2.5e+7');
    expect(formatNumber(0.7)).toBe('0.7');
  });

  it('p-values, seconds and counts', () => {
    expect(formatP(0.04512)).toBe('0.045');
    expect(formatP(0.00031)).toBe('3.1e-4');
    expect(formatP(1)).toBe('1.000');
    expect(formatSeconds(12.34)).toBe('12.34 s');
    expect(formatSeconds(95)).toBe('1.6 min');
    expect(formatSeconds(7200)).toBe('2.00 h');
    expect(formatCount(433906)).toBe('434 k');
    expect(formatCount(43390)).toBe('43.4 k');
    expect(formatCount(115683584)).toBe('116 M');
    expect(formatCount(12)).toBe('12');
  });
});
