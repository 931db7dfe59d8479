/**
 * Loss and validation curves of a run, one chart per training phase, as pure functions of its epoch points.
 * Series are split by P-DASH round and by HP-search trial; long series are downsampled by ECharts (LTTB).
 */
import { seriesPalette, type LabChartOption } from '../../components/charts/echarts.ts';
import { formatNumber, metricTitle } from '../../format/numbers.ts';
import type { EpochPoint } from '../../stores/runs.ts';

export const TRAINING_PHASES = ['search', 'hp-search', 'retrain'] as const;
export type TrainingPhase = (typeof TRAINING_PHASES)[number];

export const phaseTitles: Record<string, string> = {
  search: 'Search',
  select: 'Select',
  'hp-search': 'HP search',
  retrain: 'Retrain',
  test: 'Test',
};

/** A diverged epoch has no loss (null) and is drawn as a gap; so is an absurd one a log may hold. */
const DIVERGED = 1e300;

function lossValue(point: EpochPoint): number | null {
  const loss = point.trainLoss;
  return loss !== null && Number.isFinite(loss) && Math.abs(loss) < DIVERGED ? loss : null;
}

interface SeriesGroup {
  key: string;
  label: string;
  points: EpochPoint[];
}

function groups(points: readonly EpochPoint[], phase: TrainingPhase): SeriesGroup[] {
  const byKey = new Map<string, SeriesGroup>();
  const rounds = new Set(points.map((p) => p.round));
  for (const point of points) {
    const parts: string[] = [];
    if (rounds.size > 1 || (point.round > 0 && phase === 'search')) parts.push(`round ${point.round}`);
    if (phase === 'hp-search') parts.push(`trial ${point.trial + 1}`);
    const key = `${point.round}/${point.trial}`;
    let group = byKey.get(key);
    if (group === undefined) {
      group = { key, label: parts.join(', '), points: [] };
      byKey.set(key, group);
    }
    group.points.push(point);
  }
  for (const group of byKey.values()) group.points.sort((a, b) => a.epoch - b.epoch);
  return [...byKey.values()];
}

export function phasesWithEpochs(points: readonly EpochPoint[]): TrainingPhase[] {
  return TRAINING_PHASES.filter((phase) => points.some((p) => p.phase === phase));
}

export function curveOption(points: readonly EpochPoint[], phase: TrainingPhase, metricName: string | null): LabChartOption {
  const inPhase = points.filter((p) => p.phase === phase);
  const seriesGroups = groups(inPhase, phase);
  const hasValidation = inPhase.some((p) => p.validation !== null);
  const longest = Math.max(1, ...seriesGroups.map((g) => g.points.length));
  const showSymbol = longest <= 40;
  const validationName = metricName === null ? 'validation' : `validation ${metricTitle(metricName)}`;
  const named = (group: SeriesGroup, what: string): string => (group.label === '' ? what : `${what} (${group.label})`);

  const series: NonNullable<LabChartOption['series']> = [];
  seriesGroups.forEach((group, index) => {
    const color = seriesPalette[index % seriesPalette.length];
    series.push({
      type: 'line',
      name: named(group, 'train loss'),
      yAxisIndex: 0,
      data: group.points.map((p) => [p.epoch + 1, lossValue(p)]),
      showSymbol,
      symbolSize: 5,
      sampling: 'lttb',
      connectNulls: false,
      color,
      lineStyle: { width: 1.6 },
    });
    if (group.points.some((p) => p.validation !== null)) {
      series.push({
        type: 'line',
        name: named(group, validationName),
        yAxisIndex: 1,
        data: group.points.filter((p) => p.validation !== null).map((p) => [p.epoch + 1, p.validation]),
        showSymbol,
        symbolSize: 5,
        sampling: 'lttb',
        color,
        lineStyle: { width: 1.4, type: 'dashed' },
      });
    }
  });

  return {
    animation: false,
    grid: { left: 52, right: hasValidation ? 56 : 16, top: 28, bottom: 52 },
    legend: { bottom: 0, type: 'scroll' },
    tooltip: { trigger: 'axis', valueFormatter: (value) => (typeof value === 'number' ? formatNumber(value) : '—') },
    xAxis: { type: 'value', minInterval: 1, min: 1, max: (extent) => Math.max(extent.max, 2) },
    yAxis: [
      { type: 'value', name: 'train loss', scale: true, splitNumber: 4 },
      { type: 'value', name: hasValidation ? 'validation' : '', scale: true, splitNumber: 4, show: hasValidation, splitLine: { show: false } },
    ],
    series,
  };
}
