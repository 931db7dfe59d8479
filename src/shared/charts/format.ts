/**
 * How numbers are written in the Compare view and in every export, so that a table on screen, in Markdown, in
 * LaTeX and in a report all read the same.
 *
 * mean ± std is written to the precision of its spread: two significant digits of the sample std, and the mean
 * to the same decimal place (6.60 ± 0.33, 0.0079 ± 0.0020, 75 ± 18). Without a spread to size it by (n = 1, or
 * every seed equal) the mean gets four significant digits.
 */

import { formatNumber } from '../format.ts';

// Plain numbers and counts follow the lab's one rule (src/shared/format.ts); re-exported so that tables, charts
// and reports find every rule here.
export { formatCount, formatNumber } from '../format.ts';

const MAX_DECIMALS = 8;

function clampDecimals(d: number): number {
  return Math.min(MAX_DECIMALS, Math.max(0, d));
}

/** Decimal places for a mean and its sample std. */
export function decimalsFor(mean: number, std: number | null): number {
  if (std !== null && Number.isFinite(std) && std > 0) return clampDecimals(1 - Math.floor(Math.log10(std)));
  if (mean === 0 || !Number.isFinite(mean)) return 2;
  return clampDecimals(3 - Math.floor(Math.log10(Math.abs(mean))));
}

/** toFixed without a '-0'. */
export function fixed(value: number, decimals: number): string {
  const text = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

export interface MeanStdText {
  mean: string;
  /** null when there is no sample std (n < 2). */
  std: string | null;
}

export function meanStdParts(mean: number, std: number | null): MeanStdText {
  const decimals = decimalsFor(mean, std);
  return { mean: fixed(mean, decimals), std: std === null ? null : fixed(std, decimals) };
}

/** "6.60 ± 0.33", or "6.60" when there is no spread to show. */
export function formatMeanStd(mean: number, std: number | null, plusMinus = '±'): string {
  const parts = meanStdParts(mean, std);
  return parts.std === null ? parts.mean : `${parts.mean} ${plusMinus} ${parts.std}`;
}

/** A p-value: three decimals, exponent notation below 0.001. */
export function formatP(p: number): string {
  if (p < 0.001) return p === 0 ? '0' : p.toExponential(1);
  return p.toFixed(3);
}

/** Wall time: seconds, minutes or hours as fits. */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${formatNumber(seconds)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(2)} h`;
}
