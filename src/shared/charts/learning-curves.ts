/**
 * Learning curves over seeds: per method and epoch, the mean of the seeds' values with a band of ± one sample
 * std (n − 1), as Aim and W&B draw grouped runs. Retraining curves are indexed by retrain epoch; search curves
 * by search epoch counted across P-DASH rounds (round 1's epochs, then round 2's, ...).
 */
import type { Comparison, Method, MetricSpec, RunDetail } from '../contract/index.ts';
import { AXIS_NAME_STYLE, BASE_OPTION, type ChartOption } from './chart-types.ts';
import { formatNumber } from './format.ts';
import { meanStd } from './stats.ts';
import { directionText, METHOD_ORDER, methodLabel, metricLabel, rowLabel, rowStyle, rowVariants } from './vocabulary.ts';

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
  /** The method's name, or its comparison row's ("DASH (smoke)") when its runs are grouped by configuration. */
  label: string;
  /** Which of its method's rows this curve is (0: the first or only one): its shade, dash and symbol (rowStyle). */
  variant: number;
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

/**
 * Per method (in the lab's method order), the mean ± sample std band over its runs at every epoch; with
 * `groupOf`, per group of runs (a comparison row: a method and configuration), so that runs of different budgets
 * are not averaged into one curve.
 */
export function curveBands(runs: readonly RunDetail[], phase: CurvePhase, quantity: CurveQuantity, groupOf?: RunGroups): MethodCurve[] {
  const groups = new Map<string, { method: Method; label: string; variant: number; order: number; runs: number; epochs: Map<number, number[]> }>();
  for (const run of runs) {
    const curve = runCurve(run, phase, quantity);
    if (curve.length === 0) continue;
    const row = groupOf?.get(run.id);
    const label = row?.label ?? methodLabel(run.method);
    const group = groups.get(label) ?? { method: run.method, label, variant: row?.variant ?? 0, order: groups.size, runs: 0, epochs: new Map<number, number[]>() };
    groups.set(label, group);
    group.runs += 1;
    for (const { x, value } of curve) {
      const list = group.epochs.get(x) ?? [];
      list.push(value);
      group.epochs.set(x, list);
    }
  }
  return [...groups.values()]
    .sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method) || a.variant - b.variant || a.order - b.order)
    .map((g) => ({
      method: g.method,
      label: g.label,
      variant: g.variant,
      runs: g.runs,
      points: [...g.epochs.entries()]
        .sort(([a], [b]) => a - b)
        .map(([x, values]) => {
          const s = meanStd(values);
          const spread = s.std ?? 0;
          return { x, n: s.n, mean: s.mean, std: s.std, lower: s.mean - spread, upper: s.mean + spread };
        }),
    }));
}

/** Run id -> its group (a comparison row): the row's label and which of its method's rows it is; runs not in it are grouped by method. */
export type RunGroups = ReadonlyMap<number, { label: string; variant: number }>;

/** The comparison's rows as run groups, when some method has several (otherwise runs group by method as before). */
export function comparisonRunGroups(comparison: Comparison): RunGroups | undefined {
  const rows = comparison.methods;
  if (new Set(rows.map((m) => m.method)).size === rows.length) return undefined;
  const groups = new Map<number, { label: string; variant: number }>();
  const variants = rowVariants(rows);
  rows.forEach((m, i) => {
    const label = rowLabel(m.method, m.configuration?.label ?? '');
    for (const id of m.configuration?.runIds ?? m.values.map((v) => v.runId)) groups.set(id, { label, variant: variants[i]! });
  });
  return groups;
}

export interface LearningCurveOptions {
  phase: CurvePhase;
  quantity: CurveQuantity;
  /** The task's metric (validation curves are in its units). */
  metric: MetricSpec | null;
  /** Runs grouped by comparison row (comparisonRunGroups); absent: by method. */
  groups?: RunGroups | undefined;
}

export function curveAxisName(options: LearningCurveOptions): { x: string; y: string } {
  const x = options.phase === 'retrain' ? 'retrain epoch' : 'search epoch (all rounds)';
  if (options.quantity === 'trainLoss') return { x, y: `${options.phase === 'retrain' ? 'retrain' : 'search'} train loss, lower is better` };
  const metric = options.metric;
  return { x, y: metric ? `validation ${metricLabel(metric)}, ${directionText(metric.direction)}` : 'validation metric' };
}

/**
 * Mean line per method (per comparison row, with groups) with its ± std band. The band is two stacked lines
 * (mean − std, then the band's width) under the curve's name, so that the legend shows and hides a line and its
 * band together. A method's second, third, ... row is drawn in its own shade, dash and symbol of the method's colour.
 */
export function learningCurveChart(runs: readonly RunDetail[], options: LearningCurveOptions): ChartOption {
  const curves = curveBands(runs, options.phase, options.quantity, options.groups);
  const maxX = Math.max(0, ...curves.flatMap((c) => c.points.map((p) => p.x)));
  const categories = Array.from({ length: maxX }, (_, i) => String(i + 1));
  const names = curveAxisName(options);
  const series: Array<Record<string, unknown>> = [];
  for (const curve of curves) {
    const label = curve.label;
    const style = rowStyle(curve.method, curve.variant);
    const color = style.color;
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
      lineStyle: { width: 2, color, type: style.dash },
      itemStyle: { color },
      symbol: style.symbol,
      symbolSize: 5,
      showSymbol: maxX <= 40,
      connectNulls: true,
      z: 3,
    });
    const hasBand = curve.points.some((p) => p.std !== null);
    if (!hasBand) continue;
    const stack = `band-${curve.label === methodLabel(curve.method) ? curve.method : curve.label}`;
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
  const pointsByLabel = new Map(curves.map((c) => [c.label, new Map(c.points.map((p) => [p.x, p]))]));
  return {
    ...BASE_OPTION,
    legend: {
      data: curves.map((c) => {
        const style = rowStyle(c.method, c.variant);
        return { name: c.label, itemStyle: { color: style.color }, lineStyle: { color: style.color, type: style.dash } };
      }),
      top: 4,
    },
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
