/**
 * What the methods cost: mean wall seconds per run, split by phase (stacked bars), and each run's test metric
 * against the compute it spent (so that methods can be compared at equal compute).
 */
import type { Comparison, RunSummary } from '../contract/experiments.ts';
import { AXIS_NAME_STYLE, BASE_OPTION, type ChartOption } from './chart-types.ts';
import { formatNumber, formatSeconds } from './format.ts';
import { methodColor, methodLabel, metricAxisName, PHASES } from './vocabulary.ts';

/** Phases present in the comparison, in pipeline order (phases the lab does not know come last). */
export function phasesOf(comparison: Comparison): string[] {
  const present = new Set(comparison.methods.flatMap((m) => Object.keys(m.seconds)).filter((p) => p !== 'total'));
  const known = PHASES.map((p) => p.phase).filter((p) => present.has(p));
  return [...known, ...[...present].filter((p) => !known.includes(p)).sort()];
}

export function phaseSecondsChart(comparison: Comparison): ChartOption {
  const methods = comparison.methods.filter((m) => m.n > 0);
  const categories = methods.map((m) => `${methodLabel(m.method)} (n = ${m.n})`);
  const phases = phasesOf(comparison);
  const series = phases.map((phase) => {
    const known = PHASES.find((p) => p.phase === phase);
    return {
      name: known?.label ?? phase,
      type: 'bar',
      stack: 'seconds',
      barMaxWidth: 56,
      itemStyle: { color: known?.color ?? '#999999' },
      data: methods.map((m) => m.seconds[phase] ?? 0),
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
        for (const p of list) if (p.value > 0) lines.push(`${p.seriesName}: ${formatSeconds(p.value)}`);
        if (method) lines.push(`total: ${formatSeconds(method.seconds.total ?? 0)}`);
        return lines.join('<br>');
      },
    },
    xAxis: { type: 'category', data: categories, name: 'method', nameLocation: 'middle', nameGap: 30, nameTextStyle: AXIS_NAME_STYLE },
    yAxis: { type: 'value', name: 'mean wall seconds per run', nameLocation: 'middle', nameGap: 52, nameTextStyle: AXIS_NAME_STYLE },
    series,
  } as ChartOption;
}

export interface ComputePoint {
  runId: number;
  seed: number;
  seconds: number;
  value: number;
}

/** Per method, each finished run's total wall seconds and test metric. */
export function computePoints(comparison: Comparison, runs: readonly RunSummary[]): Array<{ method: RunSummary['method']; points: ComputePoint[] }> {
  const byId = new Map(runs.map((r) => [r.id, r]));
  return comparison.methods
    .map((m) => ({
      method: m.method,
      points: m.values
        .map((v) => ({ runId: v.runId, seed: v.seed, value: v.value, seconds: byId.get(v.runId)?.seconds.total ?? Number.NaN }))
        .filter((p) => Number.isFinite(p.seconds)),
    }))
    .filter((m) => m.points.length > 0);
}

export function metricVsComputeChart(comparison: Comparison, runs: readonly RunSummary[]): ChartOption {
  const groups = computePoints(comparison, runs);
  const series: Array<Record<string, unknown>> = [];
  for (const g of groups) {
    const label = methodLabel(g.method);
    const color = methodColor(g.method);
    series.push({
      name: label,
      type: 'scatter',
      symbolSize: 10,
      itemStyle: { color, opacity: 0.85 },
      data: g.points.map((p) => ({ name: `seed ${p.seed} (run ${p.runId})`, value: [p.seconds, p.value] })),
    });
    const mean = (pick: (p: ComputePoint) => number) => g.points.reduce((a, p) => a + pick(p), 0) / g.points.length;
    series.push({
      name: label,
      type: 'scatter',
      symbol: 'diamond',
      symbolSize: 16,
      itemStyle: { color, borderColor: '#222222', borderWidth: 1 },
      data: [{ name: `mean of ${g.points.length} run${g.points.length === 1 ? '' : 's'}`, value: [mean((p) => p.seconds), mean((p) => p.value)] }],
      z: 4,
    });
  }
  return {
    ...BASE_OPTION,
    legend: { top: 4, data: groups.map((g) => ({ name: methodLabel(g.method), itemStyle: { color: methodColor(g.method) } })) },
    grid: { left: 64, right: 24, top: 44, bottom: 56, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (params: unknown) => {
        const p = params as { seriesName: string; name: string; value: [number, number] };
        return `${p.seriesName} ${p.name}<br>${formatSeconds(p.value[0])}, ${formatNumber(p.value[1])}`;
      },
    },
    xAxis: { type: 'value', scale: true, name: 'compute spent: wall seconds per run (all phases)', nameLocation: 'middle', nameGap: 30, nameTextStyle: AXIS_NAME_STYLE },
    yAxis: { type: 'value', scale: true, name: metricAxisName(comparison.metric), nameLocation: 'middle', nameGap: 52, nameTextStyle: AXIS_NAME_STYLE },
    series,
  } as ChartOption;
}
