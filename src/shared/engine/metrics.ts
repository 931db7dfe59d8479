/**
 * The evaluation metrics' names and directions (docs/ALGORITHM.md section 6): what a result row records and a
 * comparison reads. How they are computed over an evaluation set is the engine's (metrics/task-metric.ts).
 */
export type MetricName = 'error' | 'relative-l2' | 'one-minus-macro-f1';
export type MetricDirection = 'minimize' | 'maximize';

export const METRIC_INFO: Readonly<Record<MetricName, { label: string; direction: MetricDirection }>> = {
  error: { label: 'error %', direction: 'minimize' },
  'relative-l2': { label: 'relative L2', direction: 'minimize' },
  'one-minus-macro-f1': { label: '1 - macro F1', direction: 'minimize' },
};

/** A metric value as it travels in events and result rows. */
export interface MetricValue {
  name: MetricName;
  direction: MetricDirection;
  value: number;
}

export function metricValue(name: MetricName, value: number): MetricValue {
  return { name, direction: METRIC_INFO[name].direction, value };
}

/** True when `a` is strictly better than `b` under the metric's direction. */
export function isBetter(name: MetricName, a: number, b: number): boolean {
  return METRIC_INFO[name].direction === 'minimize' ? a < b : a > b;
}
