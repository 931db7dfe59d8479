/**
 * Names, colours and definitions the charts and tables share: how a method is labelled and coloured, what a
 * metric means and which way is better. One method keeps one colour in every chart and every export.
 */
import { Method, type MetricSpec } from '../contract/index.ts';

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

export type MetricName = MetricSpec['name'];

export const METRIC_INFO: Readonly<Record<MetricName, { label: string; unit: string; definition: string }>> = {
  error: { label: 'error', unit: '%', definition: '100 − top-1 accuracy on the test split, in percent' },
  'relative-l2': { label: 'relative L2', unit: '', definition: 'mean over test samples of ‖ŷ − y‖ / ‖y‖, after undoing the target normalisation' },
  'one-minus-macro-f1': { label: '1 − macro F1', unit: '', definition: '1 − macro-averaged F1 over the classes, on the test split' },
  mse: { label: 'MSE', unit: '', definition: 'mean squared error on the test split' },
};

export function methodLabel(method: string): string {
  return (METHOD_LABELS as Record<string, string>)[method] ?? method;
}

export function methodColor(method: string): string {
  return (METHOD_COLORS as Record<string, string>)[method] ?? '#444444';
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

/** Which of two values is better under a direction (ties are not better). */
export function isBetter(direction: string, a: number, b: number): boolean {
  return direction === 'maximize' ? a > b : a < b;
}
