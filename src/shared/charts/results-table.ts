/**
 * The results table of a comparison as data: one row per method with n, mean ± sample std, min, max, the best
 * mean marked by the metric's direction, the Welch tests between methods, and the published numbers beside
 * the user's own. The Compare view renders it as HTML; the exporters as Markdown, LaTeX, CSV and HTML.
 */
import type { Comparison, Method } from '../contract/index.ts';
import { decimalsFor, fixed, formatMeanStd, formatNumber, formatP, meanStdParts } from './format.ts';
import { isBetter, METRIC_INFO } from '../engine/index.ts';
import { directionText, metricLabel, methodLabel } from './vocabulary.ts';

export const STD_NOTE = 'sample std (n − 1)';

export interface PublishedCell {
  label: string;
  mean: number;
  std: number;
  n: number;
  text: string;
}

export interface ResultRow {
  method: Method;
  label: string;
  n: number;
  /** Runs of the method not finished yet (not in the statistics). */
  pending: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  /** The best mean of the table by the metric's direction (only marked when two or more methods have one). */
  best: boolean;
  text: { mean: string; std: string | null; meanStd: string; min: string; max: string };
  /** The published number for the same method on the same task, when there is one. */
  published: PublishedCell | null;
}

export interface WelchRow {
  a: Method;
  b: Method;
  label: string;
  t: number;
  df: number;
  p: number;
  meanDifference: number;
  text: { t: string; df: string; p: string; meanDifference: string };
}

export interface ResultsTable {
  metric: Comparison['metric'];
  /** "error (%)". */
  metricLabel: string;
  /** "lower is better". */
  direction: string;
  definition: string;
  stdNote: string;
  rows: ResultRow[];
  welch: WelchRow[];
  published: {
    task: string;
    metricLabel: string;
    direction: string;
    definition: string;
    rows: Array<PublishedCell & { method: string }>;
  } | null;
  /** Per seed, per method: the values behind each mean. */
  perSeed: Array<{ method: Method; label: string; values: Array<{ seed: number; runId: number; value: number; text: string }> }>;
}

export function resultsTable(comparison: Comparison): ResultsTable {
  const metric = comparison.metric;
  const direction = metric?.direction ?? 'minimize';
  const withMean = comparison.methods.filter((m) => m.mean !== null);
  const bestMean = withMean.length >= 2 ? withMean.reduce((best, m) => (isBetter(direction, m.mean!, best) ? m.mean! : best), withMean[0]!.mean!) : null;
  const publishedByMethod = new Map((comparison.published?.results ?? []).map((r) => [r.method, r]));

  // Min, max and per-seed values are written to the decimal place of their method's mean ± std.
  const decimals = new Map(comparison.methods.map((m) => [m.method, m.mean === null ? null : decimalsFor(m.mean, m.std)]));
  const written = (method: Method, value: number | null): string => {
    const d = decimals.get(method);
    return value === null ? '–' : d === null || d === undefined ? formatNumber(value) : fixed(value, d);
  };
  const rows: ResultRow[] = comparison.methods.map((m) => {
    const parts = m.mean === null ? null : meanStdParts(m.mean, m.std);
    const published = publishedByMethod.get(m.method);
    return {
      method: m.method,
      label: methodLabel(m.method),
      n: m.n,
      pending: m.pending,
      mean: m.mean,
      std: m.std,
      min: m.min,
      max: m.max,
      best: bestMean !== null && m.mean === bestMean,
      text: {
        mean: parts?.mean ?? '–',
        std: parts?.std ?? null,
        meanStd: m.mean === null ? '–' : formatMeanStd(m.mean, m.std),
        min: written(m.method, m.min),
        max: written(m.method, m.max),
      },
      published: published ? publishedCell(published) : null,
    };
  });

  const welch: WelchRow[] = comparison.welch.map((w) => ({
    ...w,
    label: `${methodLabel(w.a)} vs ${methodLabel(w.b)}`,
    text: { t: fixed(w.t, 3), df: fixed(w.df, 2), p: formatP(w.p), meanDifference: formatNumber(w.meanDifference) },
  }));

  const published = comparison.published
    ? {
        task: comparison.published.task,
        metricLabel: comparison.published.metric.unit === '' ? comparison.published.metric.name : `${comparison.published.metric.name} (${comparison.published.metric.unit})`,
        direction: directionText(comparison.published.metric.direction),
        definition: comparison.published.metric.definition,
        rows: comparison.published.results.map((r) => ({ method: r.method, ...publishedCell(r) })),
      }
    : null;

  return {
    metric,
    metricLabel: metric ? metricLabel(metric) : 'metric',
    direction: directionText(direction),
    definition: metric ? METRIC_INFO[metric.name].definition : 'no run has finished yet',
    stdNote: STD_NOTE,
    rows,
    welch,
    published,
    perSeed: comparison.methods.map((m) => ({
      method: m.method,
      label: methodLabel(m.method),
      values: [...m.values].sort((a, b) => a.seed - b.seed || a.runId - b.runId).map((v) => ({ ...v, text: written(m.method, v.value) })),
    })),
  };
}

/** Decimal places a number was written with in the published table (JSON keeps 6.6 for 6.60: the std's places cover it). */
function writtenDecimals(value: number): number {
  const text = String(value);
  if (text.includes('e')) return decimalsFor(value, null);
  return text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
}

/** Published numbers keep the precision they were published with: 5.90 ± 0.08, 0.0079 ± 0.0020. */
function publishedCell(r: { label: string; mean: number; std: number; n: number }): PublishedCell {
  const decimals = Math.max(writtenDecimals(r.mean), writtenDecimals(r.std));
  return { label: r.label, mean: r.mean, std: r.std, n: r.n, text: `${fixed(r.mean, decimals)} ± ${fixed(r.std, decimals)}` };
}
