/**
 * The results table of a comparison as data: one row per method and configuration with n, mean ± sample std,
 * min, max, a bootstrap interval of the mean, the best mean marked by the metric's direction, the Welch tests
 * and the paired tests (t and Wilcoxon, on matched seeds) between rows with the seeds a difference of that size
 * would need, what differs between configurations of one method, a mark on smoke rows (not a result), and the
 * published numbers beside the user's own. The Compare view renders it as HTML; the exporters as Markdown, LaTeX, CSV and HTML.
 */
import type { Comparison, Method } from '../contract/index.ts';
import { decimalsFor, fixed, formatMeanStd, formatNumber, formatP, meanStdParts } from './format.ts';
import { isBetter, METRIC_INFO } from '../engine/index.ts';
import { directionText, metricLabel, methodLabel, rowLabel } from './vocabulary.ts';

export const STD_NOTE = 'sample std (n − 1)';
/** The mark of a row whose runs used the `smoke` preset. */
export const SMOKE_MARK = 'smoke: not a result';

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
  /** What sets this row's configuration apart from the method's other rows ('' when the method has one row). */
  configuration: string;
  /** The runs used the `smoke` preset: not a result. */
  smoke: boolean;
  /** Percentile bootstrap interval of the mean, when n >= 2. */
  interval: { low: number; high: number; level: number; resamples: number; text: string } | null;
}

export interface PairedRow {
  a: Method;
  b: Method;
  label: string;
  seeds: number[];
  n: number;
  t: number;
  df: number;
  p: number;
  meanDifference: number;
  wilcoxon: { n: number; wPlus: number; wMinus: number; p: number } | null;
  seedsNeeded: number | null;
  text: { seeds: string; t: string; df: string; p: string; meanDifference: string; stdDifference: string; wilcoxonW: string; wilcoxonP: string; seedsNeeded: string };
}

export interface WelchRow {
  a: Method;
  b: Method;
  label: string;
  t: number;
  df: number;
  p: number;
  meanDifference: number;
  /** Seeds per row that would resolve the difference (pooled std); null: none to resolve. */
  seedsNeeded: number | null;
  seedsNeededText: string;
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
  /** Paired t and exact Wilcoxon signed-rank tests on the seeds both rows ran. */
  paired: PairedRow[];
  /** "smoke: not a result — DASH ran the smoke preset …", when a row did; null otherwise. */
  smokeNote: string | null;
  /** One line per method with several configurations: "DASH: preset quick vs smoke; retrain.epochs 8 vs 3". */
  differences: string[];
  /** How the seeds-needed numbers are computed. */
  seedsNeededNote: string;
  published: {
    task: string;
    metricLabel: string;
    direction: string;
    definition: string;
    rows: Array<PublishedCell & { method: string }>;
  } | null;
  /** Per seed, per method: the values behind each mean. */
  /** `undecided`: "9 of 9" when the run's search left layers undecided at selection (they chose by initialisation), else ''. */
  perSeed: Array<{ method: Method; label: string; smoke: boolean; values: Array<{ seed: number; runId: number; value: number; text: string; undecided: string; backend: string }> }>;
  /** Whether any run's search left a layer undecided (the per-seed tables then say which). */
  anyUndecided: boolean;
}

export function resultsTable(comparison: Comparison): ResultsTable {
  const metric = comparison.metric;
  const direction = metric?.direction ?? 'minimize';
  const withMean = comparison.methods.filter((m) => m.mean !== null);
  const bestMean = withMean.length >= 2 ? withMean.reduce((best, m) => (isBetter(direction, m.mean!, best) ? m.mean! : best), withMean[0]!.mean!) : null;
  const publishedByMethod = new Map((comparison.published?.results ?? []).map((r) => [r.method, r]));

  // Min, max, interval and per-seed values are written to the decimal place of their row's mean ± std.
  const decimals = comparison.methods.map((m) => (m.mean === null ? null : decimalsFor(m.mean, m.std)));
  const written = (row: number, value: number | null): string => {
    const d = decimals[row];
    return value === null ? '–' : d === null || d === undefined ? formatNumber(value) : fixed(value, d);
  };
  const labels = comparison.methods.map((m) => rowLabel(m.method, m.configuration?.label ?? ''));
  const rows: ResultRow[] = comparison.methods.map((m, i) => {
    const parts = m.mean === null ? null : meanStdParts(m.mean, m.std);
    const published = publishedByMethod.get(m.method);
    const bootstrap = m.bootstrap ?? null;
    return {
      method: m.method,
      label: labels[i]!,
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
        min: written(i, m.min),
        max: written(i, m.max),
      },
      published: published ? publishedCell(published) : null,
      configuration: m.configuration?.label ?? '',
      smoke: m.configuration?.smoke ?? false,
      interval: bootstrap === null ? null : { ...bootstrap, text: `[${written(i, bootstrap.low)}, ${written(i, bootstrap.high)}]` },
    };
  });

  // A test names its two rows by their labels; comparisons made before rows had indices name the methods.
  const pairLabel = (w: { a: Method; b: Method; aRow?: number | undefined; bRow?: number | undefined }): string =>
    `${w.aRow === undefined ? methodLabel(w.a) : labels[w.aRow]} vs ${w.bRow === undefined ? methodLabel(w.b) : labels[w.bRow]}`;
  const welch: WelchRow[] = comparison.welch.map((w) => ({
    ...w,
    seedsNeeded: w.seedsNeeded ?? null,
    label: pairLabel(w),
    seedsNeededText: seedsText(w.seedsNeeded ?? null),
    text: { t: fixed(w.t, 3), df: fixed(w.df, 2), p: formatP(w.p), meanDifference: formatNumber(w.meanDifference) },
  }));
  const paired: PairedRow[] = (comparison.paired ?? []).map((w) => ({
    a: w.a,
    b: w.b,
    label: pairLabel(w),
    seeds: w.seeds,
    n: w.n,
    t: w.t,
    df: w.df,
    p: w.p,
    meanDifference: w.meanDifference,
    wilcoxon: w.wilcoxon,
    seedsNeeded: w.seedsNeeded,
    text: {
      seeds: w.seeds.join(', '),
      t: fixed(w.t, 3),
      df: String(w.df),
      p: formatP(w.p),
      meanDifference: formatNumber(w.meanDifference),
      stdDifference: formatNumber(w.stdDifference),
      wilcoxonW: w.wilcoxon === null ? '–' : formatNumber(Math.min(w.wilcoxon.wPlus, w.wilcoxon.wMinus)),
      wilcoxonP: w.wilcoxon === null ? '–' : formatP(w.wilcoxon.p),
      seedsNeeded: seedsText(w.seedsNeeded),
    },
  }));

  const smokeRows = rows.filter((r) => r.smoke);
  const smokeNote =
    smokeRows.length === 0
      ? null
      : `${SMOKE_MARK} — ${smokeRows.map((r) => r.label).join(', ')} ran the smoke preset (seconds, for checking that a dataset trains): ${smokeRows.length === 1 ? 'its numbers are' : 'their numbers are'} no evidence about the methods.`;
  const differences = (comparison.differences ?? []).map((d) => `${methodLabel(d.method)}: ${d.text}`);

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
    paired,
    smokeNote,
    differences,
    seedsNeededNote: SEEDS_NEEDED_NOTE,
    published,
    anyUndecided: comparison.methods.some((m) => m.values.some((v) => (v.undecided?.layers ?? 0) > 0)),
    perSeed: comparison.methods.map((m, i) => ({
      method: m.method,
      label: labels[i]!,
      smoke: m.configuration?.smoke ?? false,
      values: [...m.values].sort((a, b) => a.seed - b.seed || a.runId - b.runId).map((v) => ({ ...v, text: written(i, v.value), undecided: undecidedText(v.undecided), backend: v.backend ?? '–' })),
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

export const SEEDS_NEEDED_NOTE =
  'Seeds needed: about how many seeds (matched seeds for the paired test, seeds per method for Welch) would resolve a difference of the observed size at two-sided alpha 0.05 with power 0.8, from the observed spread (normal approximation).';


function seedsText(n: number | null): string {
  return n === null ? '–' : String(n);
}

/** "3 of 9" layers undecided, or '' when the search decided every layer (or searched none). */
function undecidedText(undecided: { layers: number; of: number } | undefined): string {
  return undecided === undefined || undecided.layers === 0 ? '' : `${undecided.layers} of ${undecided.of}`;
}
