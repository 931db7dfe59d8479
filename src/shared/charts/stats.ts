/**
 * The small statistics the charts draw: mean with the sample standard deviation (n - 1), and quartiles for box
 * plots. Pure functions of plain numbers, shared by the renderer and the exporters so that a band on screen and
 * a band in a report are the same numbers.
 */

export interface MeanStd {
  n: number;
  mean: number;
  /** Sample standard deviation (divides by n - 1); null when n < 2. */
  std: number | null;
}

export function meanStd(values: readonly number[]): MeanStd {
  if (values.length === 0) throw new Error('meanStd: no values');
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n < 2 ? null : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { n, mean, std };
}

/**
 * The q-quantile with linear interpolation between order statistics (Hyndman & Fan type 7: numpy's and R's
 * default), so a box drawn here matches one drawn by those tools from the same values.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile: no values');
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (position - below);
}

/** [min, Q1, median, Q3, max]: what a box plot draws. */
export function boxStatistics(values: readonly number[]): [number, number, number, number, number] {
  if (values.length === 0) throw new Error('boxStatistics: no values');
  const sorted = [...values].sort((a, b) => a - b);
  return [sorted[0]!, quantile(sorted, 0.25), quantile(sorted, 0.5), quantile(sorted, 0.75), sorted.at(-1)!];
}
