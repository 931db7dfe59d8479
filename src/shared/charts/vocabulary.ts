/**
 * Names, colours and definitions the charts and tables share: how a method is labelled and coloured, what a
 * metric means and which way is better. One method keeps one colour in every chart and every export.
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
