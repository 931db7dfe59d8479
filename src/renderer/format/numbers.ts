/** How numbers, sizes, durations and metrics read in the lab's views; one place so every view agrees. */

// Plain numbers, counts and bytes follow the lab's one rule (src/shared/format.ts), as charts and reports do.
import { METRIC_INFO } from '../../shared/engine/index.ts';
import { formatNumber } from '../../shared/format.ts';

export { formatBytes, formatCount, formatNumber } from '../../shared/format.ts';

/** 0.4 s, 12 s, 3 min 05 s, 2 h 07 min. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 0.05) return '< 0.1 s';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function formatPercent(fraction: number): string {
  return `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
}

/** A metric's name as the views title it, "error (%)": the vocabulary's label and unit. */
export function metricTitle(name: string): string {
  const info = (METRIC_INFO as Record<string, { label: string; unit: string } | undefined>)[name];
  if (info === undefined) return name;
  return info.unit === '' ? info.label : `${info.label} (${info.unit})`;
}

/** How a metric's values read: `error` is a percentage, the others plain numbers. */
export function formatMetric(name: string, value: number): string {
  return name === 'error' ? `${formatNumber(value, 4)}%` : formatNumber(value, 4);
}

/** A timestamp as the user's local date and time, to the minute. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
