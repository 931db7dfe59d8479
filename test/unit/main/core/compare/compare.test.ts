import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig, type RunConfig } from '../../../../../src/shared/engine/index.ts';
import { architectureGrid, resultsTable } from '../../../../../src/shared/charts/index.ts';
import { addDashExperiment, FIXTURE_RUNS, openComparisonLab, recordOneUndecidedLayer, type ComparisonLab } from '../../../../helpers/comparison-lab.ts';
import { tempDir } from '../../../../helpers/temp-dir.ts';

let dir: ReturnType<typeof tempDir>;
let lab: ComparisonLab;

beforeEach(async () => {
  dir = tempDir();
  // A smoke experiment: DASH 6.9, 6.3, 6.6 and P-DASH 5.9, 5.8, 6.0 over seeds 0, 1, 2.
  lab = await openComparisonLab(dir.path);
});

afterEach(() => {
  lab.core.close();
  dir.remove();
});

describe('compare groups runs by configuration', () => {
  it('one experiment: one row per method, each marked smoke, with paired tests and bootstrap intervals', () => {
    const c = lab.core.runs.compare({ experiment: lab.experimentId });
    expect(c.methods.map((m) => [m.method, m.n, m.configuration?.label, m.configuration?.smoke])).toEqual([
      ['dash', 3, '', true],
      ['pdash', 3, '', true],
    ]);
    expect(c.differences).toEqual([]);
    expect(c.paired).toHaveLength(1);
    expect(c.paired![0]!.seeds).toEqual([0, 1, 2]);
    expect(c.paired![0]!.t).toBeCloseTo(4.58257569495584, 10);
    expect(c.paired![0]!.wilcoxon!.p).toBeCloseTo(0.25, 12);
    expect(c.methods[0]!.bootstrap).toMatchObject({ level: 0.95, resamples: 10_000 });
    // Three seeds: the smallest and largest resample means each have probability 1/27 > 2.5%.
    expect(c.methods[0]!.bootstrap!.low).toBeCloseTo(6.3, 10);
    expect(c.methods[0]!.bootstrap!.high).toBeCloseTo(6.9, 10);
    expect(c.welch[0]!.seedsNeeded).toBe(2);
  });

  it('a smoke and a quick run of the same seed are two rows, and the comparison says what differs', () => {
    const quick = addDashExperiment(lab, resolveConfig('quick', { selection: 'argmax', retrain: { epochs: 3 } }), { 0: 4.0, 1: 4.4 });
    const smokeIds = lab.runIds.filter((_, i) => FIXTURE_RUNS[i]!.method === 'dash');
    const c = lab.core.runs.compare({ runs: [...smokeIds, ...quick] });
    expect(c.methods.map((m) => [m.method, m.configuration?.label, m.configuration?.smoke, m.values.map((v) => v.seed)])).toEqual([
      ['dash', 'smoke', true, [0, 1, 2]],
      ['dash', 'quick', false, [0, 1]],
    ]);
    expect(c.methods.map((m) => m.configuration?.runIds)).toEqual([smokeIds, quick]);
    expect(c.differences).toHaveLength(1);
    expect(c.differences![0]!.text).toMatch(/^preset smoke vs quick; search\.epochs 2 vs 8; .*; and \d+ more settings$/);
    // Pairs on the two seeds both rows ran; Welch on all of each.
    expect(c.paired![0]).toMatchObject({ aRow: 0, bRow: 1, seeds: [0, 1] });
    const table = resultsTable(c);
    expect(table.rows.map((r) => r.label)).toEqual(['DASH (smoke)', 'DASH (quick)']);
    expect(table.welch[0]!.label).toBe('DASH (smoke) vs DASH (quick)');
    expect(table.smokeNote).toMatch(/^smoke: not a result — DASH \(smoke\) ran the smoke preset/);
    expect(table.differences[0]).toMatch(/^DASH: preset smoke vs quick; /);
  });

  it('two budgets of one preset: rows named by the setting that differs', () => {
    const eight = addDashExperiment(lab, resolveConfig('quick', { selection: 'argmax', retrain: { epochs: 8 } }), { 0: 4.0, 1: 4.4 });
    const three = addDashExperiment(lab, resolveConfig('quick', { selection: 'argmax', retrain: { epochs: 3 } }), { 0: 5.0, 1: 5.6 });
    const c = lab.core.runs.compare({ runs: [...eight, ...three] });
    expect(c.methods.map((m) => m.configuration?.label)).toEqual(['retrain.epochs 8', 'retrain.epochs 3']);
    expect(c.differences).toEqual([{ method: 'dash', text: 'retrain.epochs 8 vs 3' }]);
    expect(c.methods.every((m) => m.configuration?.smoke === false)).toBe(true);
  });

  it('the same configuration and seed twice: a seed is never counted twice in one row', () => {
    const again = addDashExperiment(lab, resolveConfig('smoke', { selection: 'argmax' }), { 0: 9.9, 1: 6.3 });
    const c = lab.core.runs.compare({ runs: [...lab.runIds, ...again] });
    const dash = c.methods.filter((m) => m.method === 'dash');
    expect(dash.map((m) => [m.configuration?.label, m.values.map((v) => v.seed)])).toEqual([
      ['', [0, 1, 2]],
      ['repeat 2', [0, 1]],
    ]);
    for (const m of c.methods) expect(new Set(m.values.map((v) => v.seed)).size).toBe(m.values.length);
    expect(c.differences![0]!.text).toContain('ran seeds 0, 1 more than once');
  });

  it('settings only another method reads do not split a method (P-DASH plan for DASH runs)', () => {
    const base = resolveConfig('smoke', { selection: 'argmax' });
    const other = addDashExperiment(lab, { ...base, pdash: { ...base.pdash, roundEpochs: base.pdash.roundEpochs === null ? 7 : base.pdash.roundEpochs + 1 } } as RunConfig, { 3: 6.1 });
    const c = lab.core.runs.compare({ runs: [...lab.runIds, ...other] });
    expect(c.methods.filter((m) => m.method === 'dash').map((m) => m.values.map((v) => v.seed))).toEqual([[0, 1, 2, 3]]);
  });
});

describe('kernel patterns per row', () => {
  it('two configurations of DASH: each row has its own modal (k, d) per layer, never the method pooled', () => {
    // Two quick runs that chose k3 d1 everywhere beside the smoke runs, whose layer 2 is k7 d3 in 2 of 3.
    const quick = addDashExperiment(lab, resolveConfig('quick', { selection: 'argmax' }), { 0: 4.0, 1: 4.4 }, { layers: Array.from({ length: 9 }, () => [3, 1] as [number, number]) });
    const c = lab.core.runs.compare({ runs: [...lab.runIds, ...quick] });
    expect(c.methods.map((m) => [m.method, m.configuration?.label])).toEqual([
      ['dash', 'smoke'],
      ['dash', 'quick'],
      ['pdash', ''],
    ]);
    const layer2 = c.layers.find((l) => l.layer === 2)!;
    // Pooled over the method, DASH's layer 2 would be a tie of 2 of 5 (k7 d3 and k3 d1).
    expect(layer2.byRow).toEqual([
      { row: 0, method: 'dash', kernel: 7, dilation: 3, count: 2, n: 3, agreement: 200 / 3 },
      { row: 1, method: 'dash', kernel: 3, dilation: 1, count: 2, n: 2, agreement: 100 },
      { row: 2, method: 'pdash', kernel: 7, dilation: 3, count: 3, n: 3, agreement: 100 },
    ]);
    expect(c.layers.map((l) => l.layer)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    // The grids the Compare view and the HTML report draw take each row's own modal choice from the comparison.
    const grid = architectureGrid(c, c.runIds.map((id) => lab.core.runs.runDetail(id)));
    expect(grid.methods.map((m) => [m.label, m.rows[2]!.modal])).toEqual([
      ['DASH (smoke)', { kernel: 7, dilation: 3, count: 2, n: 3, agreement: 200 / 3 }],
      ['DASH (quick)', { kernel: 3, dilation: 1, count: 2, n: 2, agreement: 100 }],
      ['P-DASH', { kernel: 7, dilation: 3, count: 3, n: 3, agreement: 100 }],
    ]);
    // Every row says its value of each setting that differs among DASH's rows; a method with one row says none.
    expect(c.methods[0]!.configuration!.differs!.slice(0, 2)).toEqual([
      { setting: 'preset', value: 'smoke' },
      { setting: 'search.epochs', value: '2' },
    ]);
    expect(c.methods[1]!.configuration!.differs!.map((d) => d.setting)).toEqual(c.methods[0]!.configuration!.differs!.map((d) => d.setting));
    expect(c.methods[2]!.configuration!.differs).toEqual([]);
  });
});

describe('undecided layers', () => {
  it("count, per run, the layers its search left undecided at the last snapshot, shown in the per-seed table", () => {
    const dashSeed0 = lab.core.log.runsOf(lab.experimentId).find((r) => r.method === 'dash' && r.seed === 0)!;
    recordOneUndecidedLayer(lab, dashSeed0.id);
    const c = lab.core.runs.compare({ experiment: lab.experimentId });
    const dash = c.methods.find((m) => m.method === 'dash')!;
    expect(dash.values.find((v) => v.seed === 0)!.undecided).toEqual({ layers: 1, of: 2 });
    expect(dash.values.find((v) => v.seed === 1)!.undecided).toEqual({ layers: 0, of: 9 });
    const table = resultsTable(c);
    expect(table.anyUndecided).toBe(true);
    expect(table.perSeed.find((m) => m.method === 'dash')!.values.map((v) => v.undecided)).toEqual(['1 of 2', '', '']);
  });

  it('leave the tables as they were when every searched layer was decided', () => {
    expect(resultsTable(lab.core.runs.compare({ experiment: lab.experimentId })).anyUndecided).toBe(false);
  });
});

