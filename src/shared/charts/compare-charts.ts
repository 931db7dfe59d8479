/**
 * Every chart of a comparison, in the order the Compare view and the report show them. A chart with nothing to
 * draw (no finished run, no logged epoch) is left out rather than drawn empty.
 */
import type { ChartSpec, CompareData } from './chart-types.ts';
import { computePoints, hasFlopsSpent, metricVsComputeChart, phaseCostChart, type CostAxis } from './cost-charts.ts';
import { comparisonRunGroups, curveBands, learningCurveChart, type CurvePhase, type CurveQuantity } from './learning-curves.ts';
import { seedVarianceChart } from './variance-chart.ts';
import { methodLabel, metricLabel } from './vocabulary.ts';

export const CHART_SIZE = { width: 720, height: 380 } as const;

const CURVES: ReadonlyArray<{ id: string; phase: CurvePhase; quantity: CurveQuantity; title: string }> = [
  { id: 'retrain-validation', phase: 'retrain', quantity: 'validation', title: 'Retraining: validation metric per epoch' },
  { id: 'retrain-loss', phase: 'retrain', quantity: 'trainLoss', title: 'Retraining: train loss per epoch' },
  { id: 'search-loss', phase: 'search', quantity: 'trainLoss', title: 'Search: supernet train loss per epoch' },
];

export interface CompareChartOptions {
  /**
   * The compute axis of the cost charts: estimated FLOPs (where every finished method logged them; otherwise wall
   * seconds are drawn) or wall seconds, the default.
   */
  cost?: CostAxis;
}

const COST_CHART_TEXT: Readonly<Record<CostAxis, { title: string; caption: string; against: string }>> = {
  flops: {
    title: 'Cost: estimated FLOPs per phase',
    caption: "Mean estimated FLOPs spent per finished run, split by phase (the engine's count of the training and evaluation it did; the same on every machine).",
    against: 'total estimated FLOPs',
  },
  seconds: {
    title: 'Cost: wall seconds per phase',
    caption: 'Mean wall-clock seconds per finished run, split by phase (work redone after an interruption counts).',
    against: 'total wall seconds',
  },
};

export function compareCharts(data: CompareData, options: CompareChartOptions = {}): ChartSpec[] {
  const { comparison, runs } = data;
  const cost: CostAxis = options.cost === 'flops' && hasFlopsSpent(comparison) ? 'flops' : 'seconds';
  const costText = COST_CHART_TEXT[cost];
  const charts: ChartSpec[] = [];
  const finished = comparison.methods.some((m) => m.n > 0);
  const metricName = comparison.metric ? metricLabel(comparison.metric) : 'the metric';
  // Runs of one method under different configurations are separate curves, as they are separate rows.
  const groups = comparisonRunGroups(comparison);
  if (finished) {
    charts.push({
      id: 'seed-variance',
      title: `Test ${metricName} over seeds`,
      caption: `Per method, a box (min, quartiles, median, max) of the test ${metricName} over its seeds, with each seed's value as a point${comparison.published ? ' and the published mean as a diamond' : ''}.`,
      option: seedVarianceChart(comparison),
      ...CHART_SIZE,
    });
  }
  for (const curve of CURVES) {
    const bands = curveBands(runs, curve.phase, curve.quantity, groups);
    if (bands.length === 0) continue;
    charts.push({
      id: curve.id,
      title: curve.title,
      caption: `Mean over seeds per method with a band of ± one sample std (n − 1); ${bands.map((b) => `${b.runs} run${b.runs === 1 ? '' : 's'} of ${b.label}`).join(', ')}.`,
      option: learningCurveChart(runs, { phase: curve.phase, quantity: curve.quantity, metric: comparison.metric, groups }),
      ...CHART_SIZE,
    });
  }
  if (finished) {
    charts.push({
      id: `phase-${cost}`,
      title: costText.title,
      caption: costText.caption,
      option: phaseCostChart(comparison, cost),
      ...CHART_SIZE,
    });
  }
  if (computePoints(comparison, runs, cost).length > 0) {
    charts.push({
      id: 'metric-vs-compute',
      title: `Test ${metricName} against compute spent`,
      caption: `Each finished run (points) and each method's mean (diamonds): test metric against ${costText.against}.`,
      option: metricVsComputeChart(comparison, runs, cost),
      ...CHART_SIZE,
    });
  }
  return charts;
}
