import { describe, expect, it } from 'vitest';
import { architectureDiff, architectureGrid, extent, layerNames } from '../../../../src/shared/charts/architecture.ts';
import { compareCharts } from '../../../../src/shared/charts/compare-charts.ts';
import { computePoints, defaultCostAxis, flopsUnit, formatFlops, hasFlopsSpent, metricVsComputeChart, phaseCostChart } from '../../../../src/shared/charts/cost-charts.ts';
import { comparisonRunGroups, curveBands, learningCurveChart, runCurve } from '../../../../src/shared/charts/learning-curves.ts';
import { resultsTable } from '../../../../src/shared/charts/results-table.ts';
import { boxStatistics } from '../../../../src/shared/charts/stats.ts';
import { seedVarianceChart, VARIANCE_SERIES } from '../../../../src/shared/charts/variance-chart.ts';
import { withTitle } from '../../../../src/shared/charts/chart-types.ts';
import { rowStyle, rowVariants } from '../../../../src/shared/charts/vocabulary.ts';
import type { Comparison } from '../../../../src/shared/contract/experiments.ts';
import { sampleComparison, sampleRuns } from './samples.ts';

type AnyRecord = Record<string, unknown>;
type Series = Array<AnyRecord & { name: string; type: string; data: unknown[] }>;

const series = (option: unknown): Series => (option as { series: Series }).series;
const axis = (option: unknown, which: 'xAxis' | 'yAxis') => (option as Record<string, { name: string; type: string; data?: string[] }>)[which]!;
const legendNames = (option: unknown): string[] => ((option as { legend: { data: Array<string | { name: string }> } }).legend.data).map((d) => (typeof d === 'string' ? d : d.name));

describe('learning curves', () => {
  it('a run curve keeps its retrain epochs, skips missing validations and HP-search trials', () => {
    expect(runCurve(sampleRuns[2]!, 'retrain', 'validation')).toEqual([{ x: 1, value: 8 }, { x: 3, value: 6.5 }]);
    expect(runCurve(sampleRuns[2]!, 'retrain', 'trainLoss').map((p) => p.x)).toEqual([1, 2, 3]);
    // P-DASH search epochs are counted across its rounds.
    expect(runCurve(sampleRuns[3]!, 'search', 'trainLoss')).toEqual([{ x: 1, value: 1.5 }, { x: 2, value: 1.2 }, { x: 3, value: 1.0 }]);
  });

  it('bands are the mean ± sample std over the seeds that have a value at each epoch', () => {
    const [dash, pdash] = curveBands(sampleRuns, 'retrain', 'validation');
    expect(dash!.method).toBe('dash');
    expect(dash!.runs).toBe(3);
    // Epoch 1: 9, 10, 8 -> mean 9, sample std 1.
    expect(dash!.points[0]).toEqual({ x: 1, n: 3, mean: 9, std: 1, lower: 8, upper: 10 });
    // Epoch 2: run 3 did not validate -> 8 and 9 only.
    expect(dash!.points[1]!.n).toBe(2);
    expect(dash!.points[1]!.mean).toBeCloseTo(8.5, 12);
    expect(dash!.points[1]!.std).toBeCloseTo(Math.SQRT1_2, 12);
    // The unfinished P-DASH run has no epochs: two runs in its band.
    expect(pdash!.runs).toBe(2);
  });

  it('draws a mean line and a stacked band per method under one legend entry, with axis names', () => {
    const option = learningCurveChart(sampleRuns, { phase: 'retrain', quantity: 'validation', metric: { name: 'error', direction: 'minimize' } });
    expect(legendNames(option)).toEqual(['DASH', 'P-DASH']);
    expect(axis(option, 'xAxis').name).toBe('retrain epoch');
    expect(axis(option, 'xAxis').data).toEqual(['1', '2', '3']);
    expect(axis(option, 'yAxis').name).toBe('validation error (%), lower is better');
    const dash = series(option).filter((s) => s.name === 'DASH');
    expect(dash.map((s) => s.stack ?? null)).toEqual([null, 'band-dash', 'band-dash']);
    // Negative lower bounds must stack too: 'all', not ECharts' default 'samesign'.
    expect(dash[1]!.stackStrategy).toBe('all');
    expect(dash[0]!.data[0]).toBe(9);
    expect(dash[1]!.data[0]).toBe(8);
    expect(dash[2]!.data[0]).toBe(2);
    expect((dash[2]!.areaStyle as AnyRecord).opacity).toBeGreaterThan(0);
  });

  it('runs of one method under two configurations are two curves, named by their comparison rows', () => {
    const base = sampleComparison();
    const dash = base.methods[0]!;
    const comparison: Comparison = {
      ...base,
      methods: [
        { ...dash, configuration: { key: 'a', label: 'quick', preset: 'quick', smoke: false, runIds: [1, 3] } },
        { ...dash, configuration: { key: 'b', label: 'smoke', preset: 'smoke', smoke: true, runIds: [2] } },
        base.methods[1]!,
      ],
    };
    const groups = comparisonRunGroups(comparison);
    const bands = curveBands(sampleRuns, 'retrain', 'validation', groups);
    expect(bands.map((b) => [b.label, b.runs])).toEqual([['DASH (quick)', 2], ['DASH (smoke)', 1], ['P-DASH', 2]]);
    // Epoch 1: runs 1 and 3 -> 9 and 8.
    expect(bands[0]!.points[0]).toMatchObject({ n: 2, mean: 8.5 });
    const option = learningCurveChart(sampleRuns, { phase: 'retrain', quantity: 'validation', metric: null, groups });
    expect(legendNames(option)).toEqual(['DASH (quick)', 'DASH (smoke)', 'P-DASH']);
    // One row per method: grouped by method, as before.
    expect(comparisonRunGroups(base)).toBeUndefined();
  });

  it('a method with one run draws no band, and train loss gets its own axis name', () => {
    const option = learningCurveChart([sampleRuns[0]!], { phase: 'search', quantity: 'trainLoss', metric: null });
    expect(series(option)).toHaveLength(1);
    expect(axis(option, 'yAxis').name).toBe('search train loss, lower is better');
    expect(axis(option, 'xAxis').name).toBe('search epoch (all rounds)');
  });
});

describe('seed variance', () => {
  it('boxes of each method with every seed drawn, and the published means beside them', () => {
    const option = seedVarianceChart(sampleComparison({ published: true }));
    expect(axis(option, 'xAxis').data).toEqual(['DASH', 'P-DASH', 'Backbone']);
    expect(axis(option, 'xAxis').name).toBe('method');
    expect(axis(option, 'yAxis').name).toBe('test error (%), lower is better');
    expect(legendNames(option)).toEqual([VARIANCE_SERIES.box, VARIANCE_SERIES.seeds, VARIANCE_SERIES.published]);
    const [box, seeds, published] = series(option);
    expect((box!.data[0] as { value: number[] }).value).toEqual(boxStatistics([6.9, 6.3, 6.6]));
    expect(box!.data[2]).toBe('-');
    expect(seeds!.data).toHaveLength(5);
    expect((seeds!.data as Array<{ value: number[]; name: string }>).map((d) => d.value)).toEqual([[0, 6.9], [0, 6.3], [0, 6.6], [1, 5.9], [1, 5.8]]);
    expect((published!.data as Array<{ value: number[] }>).map((d) => d.value)).toEqual([[0, 6.6], [1, 5.9], [2, 6.78]]);
  });

  it('a method with two configurations: a box per configuration, named by it; the published mean beside the first', () => {
    const base = sampleComparison({ published: true });
    const [dash, pdash] = base.methods;
    const comparison: Comparison = {
      ...base,
      methods: [
        { ...dash!, configuration: { key: 'a', label: 'smoke', preset: 'smoke', smoke: true } },
        { ...dash!, values: [{ runId: 7, seed: 0, value: 4 }, { runId: 8, seed: 1, value: 4.4 }], configuration: { key: 'b', label: 'quick', preset: 'quick', smoke: false } },
        { ...pdash!, configuration: { key: 'c', label: '', preset: 'quick', smoke: false } },
      ],
    };
    const option = seedVarianceChart(comparison);
    expect(axis(option, 'xAxis').data).toEqual(['DASH (smoke)', 'DASH (quick)', 'P-DASH', 'Backbone']);
    const [box, seeds, published] = series(option);
    expect((box!.data[1] as { value: number[] }).value).toEqual(boxStatistics([4, 4.4]));
    expect((seeds!.data as Array<{ value: number[] }>).map((d) => d.value[0])).toEqual([0, 0, 0, 1, 1, 2, 2]);
    expect((published!.data as Array<{ value: number[] }>).map((d) => d.value)).toEqual([[0, 6.6], [2, 5.9], [3, 6.78]]);
    expect(axis(phaseCostChart(comparison, 'seconds'), 'xAxis').data).toEqual(['DASH (smoke) (n = 3)', 'DASH (quick) (n = 3)', 'P-DASH (n = 2)']);
  });

  it('without published numbers there is no published series or legend entry', () => {
    const option = seedVarianceChart(sampleComparison());
    expect(series(option)).toHaveLength(2);
    expect(legendNames(option)).not.toContain(VARIANCE_SERIES.published);
  });
});

describe('cost', () => {
  it('stacks mean seconds per phase in pipeline order', () => {
    const option = phaseCostChart(sampleComparison(), 'seconds');
    expect(axis(option, 'xAxis').data).toEqual(['DASH (n = 3)', 'P-DASH (n = 2)']);
    expect(axis(option, 'yAxis').name).toBe('mean wall seconds per run');
    expect(legendNames(option)).toEqual(['search', 'HP search', 'retrain', 'test']);
    expect(series(option).map((s) => [s.stack, s.data])).toEqual([
      ['seconds', [42, 61]],
      ['seconds', [21, 20.5]],
      ['seconds', [31, 29.5]],
      ['seconds', [1, 1]],
    ]);
  });

  it('stacks mean estimated FLOPs per phase in a unit that fits, leaving out phases that spent none', () => {
    const base = sampleComparison();
    const comparison: Comparison = { ...base, methods: base.methods.map((m) => ({ ...m, flopsSpent: { ...m.flopsSpent, select: 0 } })) };
    const option = phaseCostChart(comparison, 'flops');
    expect(axis(option, 'yAxis').name).toBe('mean estimated TFLOPs per run');
    expect(legendNames(option)).toEqual(['search', 'HP search', 'retrain', 'test']);
    expect(series(option).map((s) => [s.stack, s.data])).toEqual([
      ['flops', [4, 6]],
      ['flops', [2, 2]],
      ['flops', [3, 3]],
      ['flops', [0.01, 0.01]],
    ]);
    expect(flopsUnit(3.2e9)).toEqual({ scale: 1e9, name: 'GFLOPs' });
    expect(flopsUnit(512)).toEqual({ scale: 1, name: 'FLOPs' });
    expect(formatFlops(3.2e12)).toBe('3.2 TFLOPs');
    expect(formatFlops(512)).toBe('512 FLOPs');
  });

  it('FLOPs are the default axis only when every finished method logged them', () => {
    const base = sampleComparison();
    expect(hasFlopsSpent(base)).toBe(true);
    expect(defaultCostAxis(base)).toBe('flops');
    const older: Comparison = { ...base, methods: base.methods.map((m, i) => (i === 0 ? { ...m, flopsSpent: { total: 0 } } : m)) };
    expect(hasFlopsSpent(older)).toBe(false);
    expect(defaultCostAxis(older)).toBe('seconds');
    // A method with no finished run does not count either way.
    const pending: Comparison = { ...base, methods: base.methods.map((m, i) => (i === 0 ? { ...m, n: 0, values: [], flopsSpent: {} } : m)) };
    expect(hasFlopsSpent(pending)).toBe(true);
  });

  it('plots each finished run metric against its total seconds, with the method mean', () => {
    const comparison = sampleComparison();
    expect(computePoints(comparison, sampleRuns)[0]!.points[0]).toEqual({ runId: 1, seed: 0, value: 6.9, compute: 91 });
    const option = metricVsComputeChart(comparison, sampleRuns);
    expect(legendNames(option)).toEqual(['DASH', 'P-DASH']);
    expect(axis(option, 'xAxis').name).toBe('compute spent: wall seconds per run (all phases)');
    expect(axis(option, 'yAxis').name).toBe('test error (%), lower is better');
    const [points, mean] = series(option);
    expect((points!.data as Array<{ value: number[] }>).map((d) => d.value)).toEqual([[91, 6.9], [98, 6.3], [96, 6.6]]);
    expect((mean!.data[0] as { value: number[] }).value[0]).toBeCloseTo(95, 12);
    expect((mean!.data[0] as { value: number[] }).value[1]).toBeCloseTo(6.6, 12);
  });

  it('plots against estimated FLOPs, skipping runs that logged none', () => {
    const comparison = sampleComparison();
    const runs = sampleRuns.map((r) => (r.id === 2 ? { ...r, flopsSpent: { total: 0 } } : r));
    const option = metricVsComputeChart(comparison, runs, 'flops');
    expect(axis(option, 'xAxis').name).toBe('compute spent: estimated TFLOPs per run (all phases)');
    const [points] = series(option);
    expect((points!.data as Array<{ name: string; value: number[] }>).map((d) => [d.name, d.value[0]])).toEqual([
      ['seed 0 (run 1)', 9.1],
      ['seed 2 (run 3)', 9.6],
    ]);
  });
});

describe('rows of one method told apart', () => {
  /** DASH under two configurations (runs 1, 3 and run 2) beside P-DASH. */
  function twoDashRows(): Comparison {
    const base = sampleComparison();
    const dash = base.methods[0]!;
    return {
      ...base,
      methods: [
        { ...dash, n: 2, values: dash.values.filter((v) => v.runId !== 2), configuration: { key: 'a', label: 'quick', preset: 'quick', smoke: false, runIds: [1, 3] } },
        { ...dash, n: 1, values: dash.values.filter((v) => v.runId === 2), configuration: { key: 'b', label: 'smoke', preset: 'smoke', smoke: true, runIds: [2] } },
        base.methods[1]!,
      ],
    };
  }

  it('a method keeps its colour on its first row; its next rows get a darker, then a lighter shade, a dash and a symbol', () => {
    expect(rowStyle('dash', 0)).toEqual({ color: '#0072b2', dash: 'solid', symbol: 'circle' });
    // #0072b2 mixed 40% toward black, then 45% toward white, channel by channel, rounded.
    expect(rowStyle('dash', 1)).toEqual({ color: '#00446b', dash: 'dashed', symbol: 'triangle' });
    expect(rowStyle('dash', 2)).toEqual({ color: '#73b1d5', dash: 'dotted', symbol: 'rect' });
    expect(rowVariants([{ method: 'dash' }, { method: 'dash' }, { method: 'pdash' }, { method: 'dash' }])).toEqual([0, 1, 0, 2]);
  });

  it('learning curves: each row of DASH its own colour and dash, in the legend too', () => {
    const option = learningCurveChart(sampleRuns, { phase: 'retrain', quantity: 'validation', metric: null, groups: comparisonRunGroups(twoDashRows()) });
    const lines = series(option).filter((s) => s.stack === undefined);
    expect(lines.map((s) => [s.name, (s.lineStyle as AnyRecord).color, (s.lineStyle as AnyRecord).type, s.symbol])).toEqual([
      ['DASH (quick)', '#0072b2', 'solid', 'circle'],
      ['DASH (smoke)', '#00446b', 'dashed', 'triangle'],
      ['P-DASH', '#d55e00', 'solid', 'circle'],
    ]);
    const legend = (option.legend as { data: Array<{ name: string; lineStyle: AnyRecord }> }).data;
    expect(legend.map((d) => [d.name, d.lineStyle.color, d.lineStyle.type])).toEqual([
      ['DASH (quick)', '#0072b2', 'solid'],
      ['DASH (smoke)', '#00446b', 'dashed'],
      ['P-DASH', '#d55e00', 'solid'],
    ]);
  });

  it('seed variance and metric against compute: each row of DASH in its own colour and symbol', () => {
    const comparison = twoDashRows();
    const [box, seeds] = series(seedVarianceChart(comparison));
    expect((box!.data as Array<{ itemStyle: AnyRecord }>).map((d) => [d.itemStyle.borderColor, d.itemStyle.borderType])).toEqual([
      ['#0072b2', 'solid'],
      ['#00446b', 'dashed'],
      ['#d55e00', 'solid'],
    ]);
    expect((seeds!.data as Array<{ value: number[]; symbol: string; itemStyle: AnyRecord }>).map((d) => [d.value[0], d.symbol, d.itemStyle.color])).toEqual([
      [0, 'circle', '#0072b2'],
      [0, 'circle', '#0072b2'],
      [1, 'triangle', '#00446b'],
      [2, 'circle', '#d55e00'],
      [2, 'circle', '#d55e00'],
    ]);
    const scatter = series(metricVsComputeChart(comparison, sampleRuns)).filter((s) => s.symbol !== 'diamond');
    expect(scatter.map((s) => [s.name, s.symbol, (s.itemStyle as AnyRecord).color])).toEqual([
      ['DASH (quick)', 'circle', '#0072b2'],
      ['DASH (smoke)', 'triangle', '#00446b'],
      ['P-DASH', 'circle', '#d55e00'],
    ]);
  });

  it('category labels never overlap: a line each for method, configuration and n, or rotated when the rows are many', () => {
    const comparison = twoDashRows();
    const label = (option: unknown) => (option as { xAxis: { axisLabel: AnyRecord & { formatter: (value: string, index: number) => string } } }).xAxis.axisLabel;
    const cost = label(phaseCostChart(comparison, 'seconds'));
    expect([0, 1, 2].map((i) => cost.formatter('', i))).toEqual(['DASH\n(quick)\nn = 2', 'DASH\n(smoke)\nn = 1', 'P-DASH\nn = 2']);
    // Wrapped within a third of the narrowest plot (300 px), every label shown.
    expect(cost).toMatchObject({ interval: 0, width: 92, overflow: 'break' });
    expect(cost.rotate).toBeUndefined();
    expect(label(seedVarianceChart(comparison)).formatter('', 1)).toBe('DASH\n(smoke)');
    // Eight rows leave under 64 px each: rotated, cut with an ellipsis; the tooltip keeps the full name.
    const many: Comparison = { ...comparison, methods: Array.from({ length: 8 }, (_, i) => ({ ...comparison.methods[0]!, configuration: { key: String(i), label: `retrain.epochs ${i}, search.epochs ${i}`, preset: 'quick', smoke: false } })) };
    const rotated = label(phaseCostChart(many, 'seconds'));
    expect(rotated).toMatchObject({ interval: 0, rotate: 30, overflow: 'truncate' });
    expect(rotated.formatter('', 3)).toBe('DASH (retrain.epochs 3, search.epochs 3) n = 2');
    expect(axis(phaseCostChart(many, 'seconds'), 'xAxis').data![3]).toBe('DASH (retrain.epochs 3, search.epochs 3) (n = 2)');
  });
});

describe('compareCharts', () => {
  it('lists every chart that has data, in the view order, with titles and sizes', () => {
    const charts = compareCharts({ comparison: sampleComparison(), runs: sampleRuns });
    expect(charts.map((c) => c.id)).toEqual(['seed-variance', 'retrain-validation', 'retrain-loss', 'search-loss', 'phase-seconds', 'metric-vs-compute']);
    for (const c of charts) {
      expect(c.title.length).toBeGreaterThan(0);
      expect(c.width).toBeGreaterThan(0);
    }
  });

  it('draws the cost charts in estimated FLOPs when asked and logged, else in wall seconds', () => {
    const flops = compareCharts({ comparison: sampleComparison(), runs: sampleRuns }, { cost: 'flops' });
    expect(flops.map((c) => c.id).slice(-2)).toEqual(['phase-flops', 'metric-vs-compute']);
    expect(flops.find((c) => c.id === 'phase-flops')!.title).toBe('Cost: estimated FLOPs per phase');
    expect(flops.at(-1)!.caption).toContain('total estimated FLOPs');
    const base = sampleComparison();
    const unlogged: Comparison = { ...base, methods: base.methods.map((m) => ({ ...m, flopsSpent: { total: 0 } })) };
    expect(compareCharts({ comparison: unlogged, runs: sampleRuns }, { cost: 'flops' }).map((c) => c.id).slice(-2)).toEqual(['phase-seconds', 'metric-vs-compute']);
  });

  it('leaves out the charts of finished runs when none has finished', () => {
    const comparison: Comparison = { ...sampleComparison(), metric: null, methods: sampleComparison().methods.map((m) => ({ ...m, n: 0, mean: null, std: null, min: null, max: null, values: [] })), welch: [] };
    expect(compareCharts({ comparison, runs: sampleRuns }).map((c) => c.id)).toEqual(['retrain-validation', 'retrain-loss', 'search-loss']);
  });

  it('withTitle puts a title on top and keeps the legend', () => {
    const option = withTitle(phaseCostChart(sampleComparison()), 'Cost', 'seconds');
    expect((option.title as AnyRecord).text).toBe('Cost');
    expect(legendNames(option)).toEqual(['search', 'HP search', 'retrain', 'test']);
    expect((option.grid as AnyRecord).top).toBe(72);
  });
});

describe('results table', () => {
  it('marks the best mean by direction, writes min/max to the mean’s decimals, and sets the published numbers beside', () => {
    const t = resultsTable(sampleComparison({ published: true }));
    expect(t.metricLabel).toBe('error (%)');
    expect(t.direction).toBe('lower is better');
    expect(t.stdNote).toBe('sample std (n − 1)');
    expect(t.rows.map((r) => [r.label, r.n, r.pending, r.text.meanStd, r.text.min, r.text.max, r.best, r.published?.text])).toEqual([
      ['DASH', 3, 0, '6.60 ± 0.30', '6.30', '6.90', false, '6.60 ± 0.33'],
      ['P-DASH', 2, 1, '5.850 ± 0.071', '5.800', '5.900', true, '5.90 ± 0.08'],
    ]);
    expect(t.welch[0]!.label).toBe('DASH vs P-DASH');
    expect(t.welch[0]!.text).toEqual({ t: '3.600', df: '2.30', p: '0.052', meanDifference: '0.75' });
    expect(t.published!.rows.map((r) => r.text)).toEqual(['6.78 ± 0.26', '6.60 ± 0.33', '5.90 ± 0.08']);
    expect(t.perSeed[0]!.values.map((v) => v.text)).toEqual(['6.90', '6.30', '6.60']);
  });

  it('a metric to maximise marks the highest mean; a single method is not marked', () => {
    const base = sampleComparison();
    const maximize = resultsTable({ ...base, metric: { name: 'error', direction: 'maximize' } });
    expect(maximize.rows.map((r) => r.best)).toEqual([true, false]);
    expect(maximize.direction).toBe('higher is better');
    const single = resultsTable({ ...base, methods: [base.methods[0]!], welch: [] });
    expect(single.rows[0]!.best).toBe(false);
  });
});

describe('architectures', () => {
  it('grids each method’s choices per layer and seed, with the modal choice and agreement', () => {
    const grid = architectureGrid(sampleComparison(), sampleRuns);
    expect(grid.layers).toEqual([{ layer: 0, name: 'block.conv0' }, { layer: 1, name: 'block.conv1' }]);
    const dash = grid.methods[0]!;
    expect(dash.runs).toEqual([{ runId: 1, seed: 0 }, { runId: 2, seed: 1 }, { runId: 3, seed: 2 }]);
    expect(dash.rows[1]!.cells).toEqual([{ kernel: 5, dilation: 3, agrees: true }, { kernel: 5, dilation: 1, agrees: false }, { kernel: 5, dilation: 3, agrees: true }]);
    expect(dash.rows[1]!.modal).toMatchObject({ kernel: 5, dilation: 3, count: 2, n: 3 });
    expect(dash.meanAgreement).toBeCloseTo((100 + 200 / 3) / 2, 10);
    // Only finished runs: the running P-DASH run is not a column.
    expect(grid.methods[1]!.runs.map((r) => r.runId)).toEqual([4, 5]);
  });

  it('a method with two configurations: a grid per configuration, each with its own modal choice', () => {
    const base = sampleComparison();
    const dash = base.methods[0]!;
    const comparison: Comparison = {
      ...base,
      methods: [
        { ...dash, values: dash.values.filter((v) => v.runId !== 2), configuration: { key: 'a', label: 'quick', preset: 'quick', smoke: false } },
        { ...dash, values: dash.values.filter((v) => v.runId === 2), configuration: { key: 'b', label: 'smoke', preset: 'smoke', smoke: true } },
      ],
      // The comparison's modal choices per row, as compareRuns gives them.
      layers: [
        { layer: 0, byRow: [{ row: 0, method: 'dash', kernel: 3, dilation: 1, count: 2, n: 2, agreement: 100 }, { row: 1, method: 'dash', kernel: 3, dilation: 1, count: 1, n: 1, agreement: 100 }] },
        { layer: 1, byRow: [{ row: 0, method: 'dash', kernel: 5, dilation: 3, count: 2, n: 2, agreement: 100 }, { row: 1, method: 'dash', kernel: 5, dilation: 1, count: 1, n: 1, agreement: 100 }] },
      ],
    };
    const grid = architectureGrid(comparison, sampleRuns);
    expect(grid.methods.map((m) => [m.label, m.runs.map((r) => r.runId)])).toEqual([['DASH (quick)', [1, 3]], ['DASH (smoke)', [2]]]);
    // Pooled, layer 1's modal would be k5 d3 in 2 of 3; each grid shows its row's: k5 d3 in 2 of 2 and k5 d1 in 1 of 1.
    expect(grid.methods[0]!.rows[1]!.modal).toMatchObject({ kernel: 5, dilation: 3, count: 2, n: 2, agreement: 100 });
    expect(grid.methods[1]!.rows[1]!.modal).toMatchObject({ kernel: 5, dilation: 1, count: 1, n: 1, agreement: 100 });
    expect(grid.methods[1]!.rows[1]!.cells).toEqual([{ kernel: 5, dilation: 1, agrees: true }]);
  });

  it('diffs two runs layer by layer', () => {
    const diff = architectureDiff(sampleRuns[0]!, sampleRuns[3]!, layerNames(sampleRuns));
    expect(diff.a).toEqual({ runId: 1, method: 'dash', seed: 0, archId: 'arch1' });
    expect(diff.rows.map((r) => [r.layer, r.name, r.same, r.extentChange])).toEqual([
      [0, 'block.conv0', true, 0],
      [1, 'block.conv1', false, extent({ kernel: 7, dilation: 1 }) - extent({ kernel: 5, dilation: 3 })],
    ]);
    expect(diff.differing).toBe(1);
    // A run without an architecture: its side is empty, every layer differs.
    expect(architectureDiff(sampleRuns[0]!, sampleRuns[5]!).rows.map((r) => [r.b, r.same])).toEqual([[null, false], [null, false]]);
  });
});
