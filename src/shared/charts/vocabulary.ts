/**
 * Names, colours and definitions the charts and tables share: how a method is labelled and coloured, what a
 * metric means and which way is better. One method keeps one colour in every chart and every export; a method with
 * several comparison rows (configurations) draws each in its own shade, dash and symbol of that colour.
 */
import { Method, type MetricSpec } from '../contract/index.ts';
import { METRIC_INFO } from '../engine/index.ts';

/** The order methods appear in every chart and table: the contract's. */
export const METHOD_ORDER: readonly Method[] = Method.options;

export const METHOD_LABELS: Readonly<Record<Method, string>> = {
  dash: 'DASH',
  pdash: 'P-DASH',
  backbone: 'Backbone',
  random: 'Random',
};

/** Distinguishable in print and for the common colour-vision deficiencies (Okabe-Ito based). */
export const METHOD_COLORS: Readonly<Record<Method, string>> = {
  dash: '#0072b2',
  pdash: '#d55e00',
  backbone: '#7a7a7a',
  random: '#009e73',
};

/** Phases of a run in pipeline order, with their colours in the cost charts. */
export const PHASES: ReadonlyArray<{ phase: string; label: string; color: string }> = [
  { phase: 'search', label: 'search', color: '#0072b2' },
  { phase: 'random-search', label: 'random search', color: '#56b4e9' },
  { phase: 'select', label: 'select', color: '#cc79a7' },
  { phase: 'hp-search', label: 'HP search', color: '#e69f00' },
  { phase: 'retrain', label: 'retrain', color: '#009e73' },
  { phase: 'test', label: 'test', color: '#7a7a7a' },
];

export function methodLabel(method: string): string {
  return (METHOD_LABELS as Record<string, string>)[method] ?? method;
}

export function methodColor(method: string): string {
  return (METHOD_COLORS as Record<string, string>)[method] ?? '#444444';
}

/** A comparison row's look in the charts: its method's colour (a shade of it past the first row), line dash and point symbol. */
export interface RowStyle {
  color: string;
  dash: 'solid' | 'dashed' | 'dotted' | number[];
  symbol: 'circle' | 'triangle' | 'rect' | 'diamond';
}

/** A method's rows in turn: its colour, darker, lighter, darker still (mixed with black or white), then again. */
const ROW_SHADES: ReadonlyArray<{ toward: number; amount: number }> = [
  { toward: 0, amount: 0 },
  { toward: 0, amount: 0.4 },
  { toward: 255, amount: 0.45 },
  { toward: 0, amount: 0.65 },
];
const ROW_DASHES: ReadonlyArray<RowStyle['dash']> = ['solid', 'dashed', 'dotted', [8, 3, 2, 3]];
const ROW_SYMBOLS: ReadonlyArray<RowStyle['symbol']> = ['circle', 'triangle', 'rect', 'diamond'];

/** `#rrggbb` mixed toward black (0) or white (255) by `amount` (0: unchanged). */
function mixColor(hex: string, toward: number, amount: number): string {
  const channels = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return `#${channels.map((c) => Math.round(c + (toward - c) * amount).toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The style of a method's `variant`-th comparison row (0: its first, drawn as the method always is), so that two
 * configurations of DASH can be told apart by colour and, in grey print, by dash and symbol.
 */
export function rowStyle(method: string, variant: number): RowStyle {
  const k = variant % ROW_SHADES.length;
  const shade = ROW_SHADES[k]!;
  return { color: mixColor(methodColor(method), shade.toward, shade.amount), dash: ROW_DASHES[k]!, symbol: ROW_SYMBOLS[k]! };
}

/** Each row's variant: how many rows of its method come before it (0 for a method's first or only row). */
export function rowVariants(rows: ReadonlyArray<{ method: string }>): number[] {
  return rows.map((row, i) => rows.slice(0, i).filter((r) => r.method === row.method).length);
}

/** The comparison's rows' styles, in the order of its `methods`. */
export function rowStyles(rows: ReadonlyArray<{ method: string }>): RowStyle[] {
  const variants = rowVariants(rows);
  return rows.map((row, i) => rowStyle(row.method, variants[i]!));
}

export function directionText(direction: string): string {
  return direction === 'maximize' ? 'higher is better' : 'lower is better';
}

/** "error (%)": the metric's name with its unit. */
export function metricLabel(metric: MetricSpec): string {
  const info = METRIC_INFO[metric.name];
  return info.unit === '' ? info.label : `${info.label} (${info.unit})`;
}

/** "test error (%), lower is better": an axis title that says which way is better. */
export function metricAxisName(metric: MetricSpec | null, split = 'test'): string {
  if (metric === null) return `${split} metric`;
  return `${split} ${metricLabel(metric)}, ${directionText(metric.direction)}`;
}

/** A comparison row's name: "DASH", or "DASH (smoke)" when the method has several configurations. */
export function rowLabel(method: string, configuration: string): string {
  return configuration === '' ? methodLabel(method) : `${methodLabel(method)} (${configuration})`;
}
