/**
 * Learning curves over seeds: per method and epoch, the mean of the seeds' values with a band of ± one sample
 * std (n − 1), as Aim and W&B draw grouped runs. Retraining curves are indexed by retrain epoch; search curves
 * by search epoch counted across P-DASH rounds (round 1's epochs, then round 2's, ...).
 */
import type { Method, MetricSpec, RunDetail } from '../contract/index.ts';
import { AXIS_NAME_STYLE, BASE_OPTION, type ChartOption } from './chart-types.ts';
import { formatNumber } from './format.ts';
import { meanStd } from './stats.ts';
import { directionText, METHOD_ORDER, methodColor, methodLabel, metricLabel } from './vocabulary.ts';

export type CurvePhase = 'retrain' | 'search';
export type CurveQuantity = 'validation' | 'trainLoss';

export interface BandPoint {
  /** Epoch, 1-based (search: counted across rounds). */
  x: number;
  /** Seeds with a value at this epoch. */
  n: number;
  mean: number;
  /** Sample std over the seeds; null when n < 2. */
  std: number | null;
  /** mean − std and mean + std (both the mean when there is no std). */
  lower: number;
  upper: number;
}

export interface MethodCurve {
  method: Method;
  runs: number;
  points: BandPoint[];
}

/** One run's curve: x (1-based) → value, for a phase and quantity. */
export function runCurve(run: RunDetail, phase: CurvePhase, quantity: CurveQuantity): Array<{ x: number; value: number }> {
  const epochs = run.epochs.filter((e) => e.phase === phase && e.trial === -1).sort((a, b) => a.round - b.round || a.epoch - b.epoch);
  const out: Array<{ x: number; value: number }> = [];
  epochs.forEach((e, index) => {
    const value = quantity === 'validation' ? e.validation : e.trainLoss;
    // Retraining keeps its own epoch numbers (validation may be logged every few epochs); search counts across rounds.
    const x = phase === 'retrain' ? e.epoch + 1 : index + 1;
    if (value !== null && Number.isFinite(value) && value < Number.MAX_VALUE) out.push({ x, value });
  });
  return out;
}

/** Per method (in the lab's method order), the mean ± sample std band over its runs at every epoch. */
export function curveBands(runs: readonly RunDetail[], phase: CurvePhase, quantity: CurveQuantity): MethodCurve[] {
  const byMethod = new Map<Method, Map<number, number[]>>();
  const runCounts = new Map<Method, number>();
  for (const run of runs) {
    const curve = runCurve(run, phase, quantity);
    if (curve.length === 0) continue;
    runCounts.set(run.method, (runCounts.get(run.method) ?? 0) + 1);
    const epochs = byMethod.get(run.method) ?? new Map<number, number[]>();
    byMethod.set(run.method, epochs);
    for (const { x, value } of curve) {
      const list = epochs.get(x) ?? [];
      list.push(value);
      epochs.set(x, list);
    }
  }
  return METHOD_ORDER.filter((m) => byMethod.has(m)).map((method) => ({
    method,
    runs: runCounts.get(method)!,
    points: [...byMethod.get(method)!.entries()]
      .sort(([a], [b]) => a - b)
      .map(([x, values]) => {
        const s = meanStd(values);
        const spread = s.std ?? 0;
        return { x, n: s.n, mean: s.mean, std: s.std, lower: s.mean - spread, upper: s.mean + spread };
      }),
  }));
}

export interface LearningCurveOptions {
  phase: CurvePhase;
  quantity: CurveQuantity;
  /** The task's metric (validation curves are in its units). */
  metric: MetricSpec | null;
}

export function curveAxisName(options: LearningCurveOptions): { x: string; y: string } {
  const x = options.phase === 'retrain' ? 'retrain epoch' : 'search epoch (all rounds)';
  if (options.quantity === 'trainLoss') return { x, y: `${options.phase === 'retrain' ? 'retrain' : 'search'} train loss, lower is better` };
  const metric = options.metric;
  return { x, y: metric ? `validation ${metricLabel(metric)}, ${directionText(metric.direction)}` : 'validation metric' };
}

/**
 * Mean line per method with its ± std band. The band is two stacked lines (mean − std, then the band's width)
 * under the method's name, so that the legend shows and hides a method's line and band together.
 */
export function learningCurveChart(runs: readonly RunDetail[], options: LearningCurveOptions): ChartOption {
  const curves = curveBands(runs, options.phase, options.quantity);
  const maxX = Math.max(0, ...curves.flatMap((c) => c.points.map((p) => p.x)));
  const categories = Array.from({ length: maxX }, (_, i) => String(i + 1));
  const names = curveAxisName(options);
  const series: Array<Record<string, unknown>> = [];
  for (const curve of curves) {
    const label = methodLabel(curve.method);
    const color = methodColor(curve.method);
    const at = new Map(curve.points.map((p) => [p.x, p]));
    const column = (pick: (p: BandPoint) => number | null): Array<number | null> => categories.map((_, i) => {
      const p = at.get(i + 1);
      return p === undefined ? null : pick(p);
    });
    series.push({
      name: label,
      type: 'line',
      data: column((p) => p.mean),
      color,
      lineStyle: { width: 2, color },
      itemStyle: { color },
      symbol: 'circle',
      symbolSize: 5,
      showSymbol: maxX <= 40,
      connectNulls: true,
      z: 3,
    });
    const hasBand = curve.points.some((p) => p.std !== null);
    if (!hasBand) continue;
    const stack = `band-${curve.method}`;
    series.push({
      name: label,
      type: 'line',
      data: column((p) => (p.std === null ? null : p.lower)),
      stack,
      stackStrategy: 'all',
      lineStyle: { opacity: 0 },
      symbol: 'none',
      silent: true,
      connectNulls: true,
      tooltip: { show: false },
      z: 1,
    });
    series.push({
      name: label,
      type: 'line',
      data: column((p) => (p.std === null ? null : p.upper - p.lower)),
      stack,
      stackStrategy: 'all',
      lineStyle: { opacity: 0 },
      areaStyle: { color, opacity: 0.18 },
      symbol: 'none',
      silent: true,
      connectNulls: true,
      tooltip: { show: false },
      z: 1,
    });
  }
  const pointsByLabel = new Map(curves.map((c) => [methodLabel(c.method), new Map(c.points.map((p) => [p.x, p]))]));
  return {
    ...BASE_OPTION,
    legend: { data: curves.map((c) => ({ name: methodLabel(c.method), itemStyle: { color: methodColor(c.method) } })), top: 4 },
    grid: { left: 64, right: 24, top: 44, bottom: 56, containLabel: true },
    tooltip: {
      trigger: 'axis',
      formatter: (params: unknown) => {
        const list = (Array.isArray(params) ? params : [params]) as Array<{ seriesName: string; axisValue: string; componentIndex: number }>;
        const x = Number(list[0]?.axisValue);
        const lines = [`${names.x} ${x}`];
        for (const label of new Set(list.map((p) => p.seriesName))) {
          const p = pointsByLabel.get(label)?.get(x);
          if (p) lines.push(`${label}: ${formatNumber(p.mean)}${p.std === null ? '' : ` ± ${formatNumber(p.std)}`} (n = ${p.n})`);
        }
        return lines.join('<br>');
      },
    },
    xAxis: { type: 'category', data: categories, boundaryGap: false, name: names.x, nameLocation: 'middle', nameGap: 30, nameTextStyle: AXIS_NAME_STYLE },
    yAxis: { type: 'value', scale: true, name: names.y, nameLocation: 'middle', nameGap: 52, nameTextStyle: AXIS_NAME_STYLE },
    series,
  } as ChartOption;
}
