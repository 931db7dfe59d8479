/**
 * The evaluation metrics (docs/ALGORITHM.md section 6): their names, how they are written, what they mean and
 * which way is better. One table for the engine (which records a value's direction), the charts, the tables and
 * the reports. How they are computed over an evaluation set is the engine's (metrics/task-metric.ts).
 */
import type { MetricSpec } from '../contract/index.ts';

/** The metrics the engine computes and trains towards. */
export type MetricName = 'error' | 'relative-l2' | 'one-minus-macro-f1';
export type MetricDirection = MetricSpec['direction'];

/** Every metric a result may be recorded in: the engine's three, and MSE, which regression datasets name. */
export const METRIC_INFO: Readonly<Record<MetricSpec['name'], { label: string; unit: string; definition: string; direction: MetricDirection }>> = {
  error: { label: 'error', unit: '%', definition: '100 − top-1 accuracy on the test split, in percent', direction: 'minimize' },
  'relative-l2': { label: 'relative L2', unit: '', definition: 'mean over test samples of ‖ŷ − y‖ / ‖y‖, after undoing the target normalisation', direction: 'minimize' },
  'one-minus-macro-f1': { label: '1 − macro F1', unit: '', definition: '1 − macro-averaged F1 over the classes, on the test split', direction: 'minimize' },
  mse: { label: 'MSE', unit: '', definition: 'mean squared error on the test split', direction: 'minimize' },
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

/** Which of two values is better under a direction (ties are not better). */
export function isBetter(direction: MetricDirection, a: number, b: number): boolean {
  return direction === 'maximize' ? a > b : a < b;
}
