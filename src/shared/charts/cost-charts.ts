/**
 * What the methods cost: the mean compute per run, split by phase (stacked bars), and each run's test metric
 * against the compute it spent (so that methods can be compared at equal compute). Compute is either the
 * engine's estimated FLOPs (the same on every machine, so the fair axis for equal-cost comparisons) or wall
 * seconds (what the runs took here).
 */
import type { Comparison, RunSummary } from '../contract/index.ts';
import { AXIS_NAME_STYLE, BASE_OPTION, rowCategoryAxis, type ChartOption } from './chart-types.ts';
import { formatCount, formatNumber, formatSeconds } from './format.ts';
import { metricAxisName, PHASES, rowLabel, rowStyles, type RowStyle } from './vocabulary.ts';

export type CostAxis = 'flops' | 'seconds';

/** Whether every method with a finished run logged estimated FLOPs (runs logged before the lab counted them have none). */
export function hasFlopsSpent(comparison: Comparison): boolean {
  const finished = comparison.methods.filter((m) => m.n > 0);
  return finished.length > 0 && finished.every((m) => (m.flopsSpent.total ?? 0) > 0);
}

/** The axis to draw by default: estimated FLOPs where they were logged, else wall seconds. */
export function defaultCostAxis(comparison: Comparison): CostAxis {
  return hasFlopsSpent(comparison) ? 'flops' : 'seconds';
}

/** "3.2 TFLOPs", "512 FLOPs". */
export function formatFlops(flops: number): string {
  const count = formatCount(flops);
  return /[a-zA-Z]$/.test(count) ? `${count}FLOPs` : `${count} FLOPs`;
}

/** A unit for FLOP counts up to `max`: the values are drawn in it, so ECharts writes the ticks itself. */
export function flopsUnit(max: number): { scale: number; name: string } {
  const units: Array<[number, string]> = [
    [1e15, 'PFLOPs'],
    [1e12, 'TFLOPs'],
    [1e9, 'GFLOPs'],
    [1e6, 'MFLOPs'],
    [1e3, 'kFLOPs'],
  ];
  for (const [scale, name] of units) if (max >= scale) return { scale, name };
  return { scale: 1, name: 'FLOPs' };
}

/** How an axis writes its compute: its unit (FLOPs scaled to k/M/G/T/P), its names, and values for tooltips. */
function costText(axis: CostAxis, max: number): { scale: number; perPhase: string; perRun: string; value: (x: number) => string } {
  if (axis === 'seconds') return { scale: 1, perPhase: 'mean wall seconds per run', perRun: 'compute spent: wall seconds per run (all phases)', value: formatSeconds };
  const unit = flopsUnit(max);
  return {
    scale: unit.scale,
    perPhase: `mean estimated ${unit.name} per run`,
    perRun: `compute spent: estimated ${unit.name} per run (all phases)`,
    value: (x) => formatFlops(x * unit.scale),
  };
}

function perPhase(m: Comparison['methods'][number], axis: CostAxis): Record<string, number> {
  return axis === 'flops' ? m.flopsSpent : m.seconds;
}

/**
 * Phases present in the comparison, in pipeline order (phases the lab does not know come last). On the FLOPs
 * axis a phase that spent nothing (argmax selection) is left out.
 */
export function phasesOf(comparison: Comparison, axis: CostAxis = 'seconds'): string[] {
  const present = new Set(
    comparison.methods
      .filter((m) => m.n > 0 || axis === 'seconds')
      .flatMap((m) => Object.entries(perPhase(m, axis)))
      .filter(([phase, value]) => phase !== 'total' && (axis === 'seconds' || value > 0))
      .map(([phase]) => phase),
  );
  const known = PHASES.map((p) => p.phase).filter((p) => present.has(p));
  return [...known, ...[...present].filter((p) => !known.includes(p)).sort()];
}

export function phaseCostChart(comparison: Comparison, axis: CostAxis = 'seconds'): ChartOption {
  const methods = comparison.methods.filter((m) => m.n > 0);
  const text = costText(axis, Math.max(0, ...methods.map((m) => perPhase(m, axis).total ?? 0)));
  const categories = methods.map((m) => `${rowLabel(m.method, m.configuration?.label ?? '')} (n = ${m.n})`);
  const phases = phasesOf(comparison, axis);
  const series = phases.map((phase) => {
    const known = PHASES.find((p) => p.phase === phase);
    return {
      name: known?.label ?? phase,
      type: 'bar',
      stack: axis,
      barMaxWidth: 56,
      itemStyle: { color: known?.color ?? '#999999' },
      data: methods.map((m) => (perPhase(m, axis)[phase] ?? 0) / text.scale),
    };
  });
  return {
    ...BASE_OPTION,
    legend: { top: 4, data: series.map((s) => s.name) },
    grid: { left: 64, right: 24, top: 44, bottom: 56, containLabel: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      formatter: (params: unknown) => {
        const list = params as Array<{ seriesName: string; value: number; dataIndex: number }>;
        const method = methods[list[0]?.dataIndex ?? 0];
        const lines = [categories[list[0]?.dataIndex ?? 0] ?? ''];
        for (const p of list) if (p.value > 0) lines.push(`${p.seriesName}: ${text.value(p.value)}`);
        if (method) lines.push(`total: ${text.value((perPhase(method, axis).total ?? 0) / text.scale)}`);
        return lines.join('<br>');
      },
    },
    // Every row named, even where ECharts would thin out the labels of four or more bars, and none over another.
    xAxis: rowCategoryAxis(methods.map((m) => ({ method: m.method, configuration: m.configuration?.label ?? '', note: `n = ${m.n}` })), categories, 'method'),
    yAxis: { type: 'value', name: text.perPhase, nameLocation: 'middle', nameGap: 52, nameTextStyle: AXIS_NAME_STYLE },
    series,
  } as ChartOption;
}

export interface ComputePoint {
  runId: number;
  seed: number;
  /** Total compute of the run on the chosen axis (FLOPs or seconds). */
  compute: number;
  value: number;
}

function runCompute(run: RunSummary | undefined, axis: CostAxis): number {
  if (run === undefined) return Number.NaN;
  const total = axis === 'flops' ? run.flopsSpent.total : run.seconds.total;
  // A run without a FLOPs count (logged before the lab counted them) has 0: not a point at zero cost.
  return total === undefined || (axis === 'flops' && total <= 0) ? Number.NaN : total;
}

/** Per comparison row (method and configuration), each finished run's total compute (estimated FLOPs or wall seconds) and test metric. */
export function computePoints(comparison: Comparison, runs: readonly RunSummary[], axis: CostAxis = 'seconds'): Array<{ method: RunSummary['method']; label: string; style: RowStyle; points: ComputePoint[] }> {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const styles = rowStyles(comparison.methods);
  return comparison.methods
    .map((m, i) => ({
      method: m.method,
      label: rowLabel(m.method, m.configuration?.label ?? ''),
      style: styles[i]!,
      points: m.values.map((v) => ({ runId: v.runId, seed: v.seed, value: v.value, compute: runCompute(byId.get(v.runId), axis) })).filter((p) => Number.isFinite(p.compute)),
    }))
    .filter((m) => m.points.length > 0);
}

export function metricVsComputeChart(comparison: Comparison, runs: readonly RunSummary[], axis: CostAxis = 'seconds'): ChartOption {
  const groups = computePoints(comparison, runs, axis);
  const text = costText(axis, Math.max(0, ...groups.flatMap((g) => g.points.map((p) => p.compute))));
  const series: Array<Record<string, unknown>> = [];
  for (const g of groups) {
    const label = g.label;
    const color = g.style.color;
    series.push({
      name: label,
      type: 'scatter',
      symbol: g.style.symbol,
      symbolSize: 10,
      itemStyle: { color, opacity: 0.85 },
      data: g.points.map((p) => ({ name: `seed ${p.seed} (run ${p.runId})`, value: [p.compute / text.scale, p.value] })),
    });
    const mean = (pick: (p: ComputePoint) => number) => g.points.reduce((a, p) => a + pick(p), 0) / g.points.length;
    series.push({
      name: label,
      type: 'scatter',
      symbol: 'diamond',
      symbolSize: 16,
      itemStyle: { color, borderColor: '#222222', borderWidth: 1 },
      data: [{ name: `mean of ${g.points.length} run${g.points.length === 1 ? '' : 's'}`, value: [mean((p) => p.compute) / text.scale, mean((p) => p.value)] }],
      z: 4,
    });
  }
  return {
    ...BASE_OPTION,
    legend: { top: 4, data: groups.map((g) => ({ name: g.label, icon: g.style.symbol, itemStyle: { color: g.style.color } })) },
    grid: { left: 64, right: 24, top: 44, bottom: 56, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (params: unknown) => {
        const p = params as { seriesName: string; name: string; value: [number, number] };
        return `${p.seriesName} ${p.name}<br>${text.value(p.value[0])}, ${formatNumber(p.value[1])}`;
      },
    },
    xAxis: { type: 'value', scale: true, name: text.perRun, nameLocation: 'middle', nameGap: 30, nameTextStyle: AXIS_NAME_STYLE },
    yAxis: { type: 'value', scale: true, name: metricAxisName(comparison.metric), nameLocation: 'middle', nameGap: 52, nameTextStyle: AXIS_NAME_STYLE },
    series,
  } as ChartOption;
}
