/**
 * Loss and validation curves of a run, one chart per training phase, as pure functions of its epoch points.
 * Series are split by P-DASH round (the rounds one after another on the search's epoch axis) and by HP-search
 * trial; the random baseline's candidates follow each other in one series. Long series are downsampled by
 * ECharts (LTTB).
 */
import { seriesPalette, type LabChartOption } from '../../components/charts/echarts.ts';
import { formatNumber, metricTitle } from '../../format/numbers.ts';
import { TrainingPhase } from '../../../shared/contract/index.ts';
import type { EpochPoint } from '../../stores/runs.ts';

export const TRAINING_PHASES: readonly TrainingPhase[] = TrainingPhase.options;

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
  /** Points with the x they are drawn at. */
  points: Array<{ x: number; point: EpochPoint }>;
  /** Validation as marks only: the values belong to different networks (the random baseline's candidates). */
  validationMarks: boolean;
}

/**
 * Series of a phase. HP-search trials overlay each other (epochs from 1). The search's P-DASH rounds and the
 * random baseline's candidates follow each other on one epoch axis: each starts where the one before ended.
 */
function groups(points: readonly EpochPoint[], phase: TrainingPhase): SeriesGroup[] {
  const candidates = phase === 'search' && points.some((p) => p.trial >= 0);
  const byKey = new Map<string, { label: string; round: number; trial: number; points: EpochPoint[] }>();
  for (const point of points) {
    const key = candidates ? `${point.round}` : `${point.round}/${point.trial}`;
    let group = byKey.get(key);
    if (group === undefined) {
      const parts: string[] = [];
      if (point.round > 0) parts.push(`round ${point.round}`);
      if (phase === 'hp-search') parts.push(`trial ${point.trial + 1}`);
      if (candidates) parts.push('candidates');
      group = { label: parts.join(', '), round: point.round, trial: point.trial, points: [] };
      byKey.set(key, group);
    }
    group.points.push(point);
  }
  const ordered = [...byKey.entries()].sort(([, a], [, b]) => a.round - b.round || a.trial - b.trial);
  const consecutive = phase === 'search';
  let offset = 0;
  return ordered.map(([key, group]) => {
    const sorted = [...group.points].sort((a, b) => a.trial - b.trial || a.epoch - b.epoch);
    const drawn: SeriesGroup['points'] = [];
    // Within a group, the random baseline's candidates follow each other too.
    let start = offset;
    let trial = sorted[0]?.trial;
    let end = offset;
    for (const point of sorted) {
      if (candidates && point.trial !== trial) {
        start = end;
        trial = point.trial;
      }
      const x = (consecutive ? start : 0) + point.epoch + 1;
      end = Math.max(end, x);
      drawn.push({ x, point });
    }
    if (consecutive) offset = end;
    return { key, label: group.label, points: drawn, validationMarks: candidates };
  });
}

/** What a phase chart's x axis counts. */
export function xAxisNote(points: readonly EpochPoint[], phase: TrainingPhase): string {
  const inPhase = points.filter((p) => p.phase === phase);
  if (phase === 'search' && inPhase.some((p) => p.trial >= 0)) return 'x: epoch, candidates one after another';
  if (phase === 'search' && new Set(inPhase.map((p) => p.round)).size > 1) return 'x: search epoch, rounds one after another';
  return 'x: epoch';
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
      data: group.points.map(({ x, point }) => [x, lossValue(point)]),
      showSymbol,
      symbolSize: 5,
      sampling: 'lttb',
      connectNulls: false,
      color,
      lineStyle: { width: 1.6 },
    });
    if (group.points.some(({ point }) => point.validation !== null)) {
      series.push({
        type: 'line',
        name: named(group, validationName),
        yAxisIndex: 1,
        data: group.points.filter(({ point }) => point.validation !== null).map(({ x, point }) => [x, point.validation]),
        showSymbol: showSymbol || group.validationMarks,
        symbolSize: 5,
        sampling: 'lttb',
        color,
        lineStyle: group.validationMarks ? { width: 0, opacity: 0 } : { width: 1.4, type: 'dashed' },
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
