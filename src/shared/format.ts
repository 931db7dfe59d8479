/**
 * Formatting shared by every front door (CLI tables, renderer views, charts, exports and reports), so that a
 * number reads the same on screen, in a Markdown table and in the HTML report. One rule each:
 *
 * - a plain number has four significant digits without trailing zeros (0.7, 12.35, 12345), exponent notation
 *   only for very small or very large magnitudes (5e-4, 2.5e+7); tables that must line up a column write
 *   mean ± std to the precision of its spread instead (charts/format.ts);
 * - a count (parameters, FLOPs) takes a unit and one decimal, none from 100 of the unit (4.3 k, 43.4 k, 434 k,
 *   1.2 M): counts are compared side by side, and FLOPs are estimates, so a fourth digit would only be noise.
 */

/**
 * Four significant digits (`digits`), trailing zeros dropped (0.7, 0.1235, 12.5); an integer part is never
 * rounded away (12345, not 12350); exponent notation below 0.001 and from a million (5e-4, 2.5e+7).
 */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-3) return Number(value.toPrecision(digits)).toExponential();
  if (magnitude >= 10 ** digits) return String(Math.round(value));
  return String(Number(value.toPrecision(digits)));
}

/** Multiply-accumulate counts, parameters and the like: 12, 4.3 k, 434 k, 1.2 M, 5.6 G. */
export function formatCount(value: number): string {
  const units: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, unit] of units) if (Math.abs(value) >= scale) return `${(value / scale).toFixed(value / scale >= 100 ? 0 : 1)} ${unit}`;
  return String(Math.round(value));
}

/** 512 B, 4.6 MiB, 1.2 GiB: binary units, one decimal above bytes. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
