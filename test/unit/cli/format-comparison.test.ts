/** `pdash compare` as text: a row per configuration, named apart, smoke marked, with the paired tests and intervals. */
import { describe, expect, it } from 'vitest';
import { formatComparison } from '../../../src/cli/commands/runs.ts';
import type { Comparison } from '../../../src/shared/contract/index.ts';
import { resolveConfig } from '../../../src/shared/engine/index.ts';
import { addDashExperiment, openComparisonLab } from '../../helpers/comparison-lab.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

function row(method: 'dash' | 'pdash', label: string, smoke: boolean, values: Array<[number, number]>): Comparison['methods'][number] {
  const v = values.map(([seed, value]) => ({ seed, value, runId: seed + 1 }));
  const mean = v.reduce((a, b) => a + b.value, 0) / v.length;
  return {
    method,
    n: v.length,
    pending: 0,
    mean,
    std: 0.01,
    min: Math.min(...v.map((x) => x.value)),
    max: Math.max(...v.map((x) => x.value)),
    values: v,
    seconds: { total: 1 },
    configuration: { key: `${method}-${label}`, label, preset: smoke ? 'smoke' : 'quick', smoke },
    bootstrap: { low: mean - 0.02, high: mean + 0.02, level: 0.95, resamples: 10000 },
  } as unknown as Comparison['methods'][number];
}

const comparison = {
  runIds: [1, 2, 3, 4],
  metric: { name: 'error', direction: 'minimize' },
  stdKind: 'sample (n - 1)',
  methods: [row('dash', 'smoke', true, [[0, 0.5], [1, 0.52]]), row('dash', 'quick', false, [[0, 0.3], [1, 0.32]]), row('pdash', '', false, [[0, 0.28], [1, 0.29]])],
  welch: [{ a: 'dash', b: 'pdash', aRow: 1, bRow: 2, t: 2.5, df: 1.8, p: 0.13, meanDifference: 0.025, seedsNeeded: 6 }],
  paired: [{ a: 'dash', b: 'pdash', aRow: 1, bRow: 2, seeds: [0, 1], n: 2, meanDifference: 0.025, stdDifference: 0.007, t: 5, df: 1, p: 0.126, wilcoxon: { n: 2, wPlus: 3, wMinus: 0, p: 0.5 }, seedsNeeded: 4 }],
  differences: [{ method: 'dash', text: 'preset smoke vs quick; search.epochs 2 vs 6' }],
  layers: [],
  published: null,
} as unknown as Comparison;

describe('formatComparison', () => {
  const text = formatComparison(comparison);

  it('names each configuration of a method apart and marks smoke as not a result', () => {
    expect(text).toMatch(/^ {2}dash \(smoke\) +n=2 .*\(smoke: not a result\)$/m);
    expect(text).toMatch(/^ {2}dash \(quick\) +n=2 /m);
    expect(text).not.toMatch(/dash \(quick\).*not a result/);
    expect(text).toMatch(/^ {2}pdash +n=2 .* \*$/m);
    expect(text).toContain('  dash configurations differ: preset smoke vs quick; search.epochs 2 vs 6');
  });

  it('prints the bootstrap intervals, Welch and the paired tests between the rows they compare, with the seeds needed', () => {
    expect(text).toContain('95% [0.2900, 0.3300]');
    expect(text).toContain('Welch t-test dash (quick) vs pdash: t = 2.500, df = 1.80, p = 0.130; about 6 seeds per row would resolve it');
    expect(text).toContain('paired on seeds 0, 1, dash (quick) - pdash: mean 0.02500, t = 5.000, df = 1, p = 0.126; Wilcoxon signed-rank p = 0.500; about 4 matched seeds would resolve it');
  });
});

describe('formatComparison on a real log', () => {
  it('prints the modal (k, d) of each layer per row, so two configurations of DASH are not pooled', async () => {
    const dir = tempDir();
    const lab = await openComparisonLab(dir.path);
    try {
      // Quick runs that chose k3 d1 everywhere beside the smoke runs, whose layer 2 is k7 d3 in 2 of 3.
      const quick = addDashExperiment(lab, resolveConfig('quick', { selection: 'argmax' }), { 0: 4.0, 1: 4.4 }, { layers: Array.from({ length: 9 }, () => [3, 1] as [number, number]) });
      const text = formatComparison(lab.core.runs.compare({ runs: [...lab.runIds, ...quick] }));
      expect(text).toContain('per layer and row, modal (k, d) across seeds with agreement:\n');
      expect(text).toContain('\n  layer  2: dash (smoke) k7 d3 (67% of 3)   dash (quick) k3 d1 (100% of 2)   pdash k7 d3 (100% of 3)\n');
      expect(text.match(/^ {2}layer +\d+:/gm)).toHaveLength(9);
    } finally {
      lab.core.close();
      dir.remove();
    }
  });
});
