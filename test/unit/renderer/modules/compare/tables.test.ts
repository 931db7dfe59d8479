import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import ArchitectureDiff from '../../../../../src/renderer/modules/compare/components/ArchitectureDiff.vue';
import ArchitectureGrid from '../../../../../src/renderer/modules/compare/components/ArchitectureGrid.vue';
import ResultsTable from '../../../../../src/renderer/modules/compare/components/ResultsTable.vue';
import { sampleComparison, sampleRuns } from '../../../shared/charts/samples.ts';

const cells = (row: { findAll(selector: string): Array<{ text(): string }> }) => row.findAll('th, td').map((c) => c.text().replace(/\s+/g, ' ').trim());

describe('ResultsTable', () => {
  it('states the metric, its direction and the sample std; the best mean is bold; published numbers sit beside', () => {
    const wrapper = mount(ResultsTable, { props: { comparison: sampleComparison({ published: true }) } });
    expect(wrapper.find('.metric-definition').text()).toContain('Test error (%), lower is better: 100 − top-1 accuracy on the test split, in percent.');
    expect(wrapper.find('.metric-definition').text()).toContain('± is the sample std (n − 1) over seeds');
    const rows = wrapper.findAll('.results-table tbody tr');
    expect(rows.map(cells)).toEqual([
      ['DASH', '3', '6.60 ± 0.30', '6.30', '6.90', '6.60 ± 0.33 (n = 3)'],
      ['P-DASH', '2 +1', '5.850 ± 0.071', '5.800', '5.900', '5.90 ± 0.08 (n = 3)'],
    ]);
    expect(wrapper.findAll('.results-table strong.best').map((b) => b.text())).toEqual(['5.850 ± 0.071']);
    expect(wrapper.findAll('.results-table th').map((h) => h.text())).toContain('Published (ninapro)');
    expect(wrapper.text()).toContain('Not finished, so not counted: 1 P-DASH run.');
    expect(wrapper.findAll('.welch-table tbody tr').map(cells)).toEqual([['DASH vs P-DASH', '3.600', '2.30', '0.052', '0.75']]);
    expect(wrapper.findAll('.published-table tbody tr').map(cells)[0]).toEqual(['WRN backbone (NAS-Bench-360)', '6.78 ± 0.26', '3']);
  });

  it('two configurations of one method: separate rows, what differs, smoke marked, intervals, paired tests and seeds needed', () => {
    const base = sampleComparison();
    const [dash, pdash] = base.methods;
    const comparison = {
      ...base,
      methods: [
        { ...dash!, configuration: { key: 'a', label: 'smoke', preset: 'smoke', smoke: true }, bootstrap: { low: 6.3, high: 6.9, level: 0.95, resamples: 10_000 } },
        { ...dash!, method: 'dash' as const, configuration: { key: 'b', label: 'quick', preset: 'quick', smoke: false }, bootstrap: null },
        { ...pdash!, configuration: { key: 'c', label: '', preset: 'quick', smoke: false }, bootstrap: { low: 5.8, high: 5.9, level: 0.95, resamples: 10_000 } },
      ],
      welch: [{ a: 'dash' as const, b: 'pdash' as const, aRow: 1, bRow: 2, t: 3.6, df: 2.3, p: 0.0523, meanDifference: 0.75, seedsNeeded: 4 }],
      paired: [{ a: 'dash' as const, b: 'dash' as const, aRow: 0, bRow: 1, seeds: [0, 1], n: 2, meanDifference: 0.5, stdDifference: 0.1, t: 7.071, df: 1, p: 0.0894, wilcoxon: { n: 2, wPlus: 3, wMinus: 0, p: 0.5 }, seedsNeeded: 2 }],
      differences: [{ method: 'dash' as const, text: 'preset smoke vs quick; retrain.epochs 3 vs 8' }],
    };
    const wrapper = mount(ResultsTable, { props: { comparison } });
    expect(wrapper.find('.smoke-note').text()).toMatch(/^smoke: not a result — DASH \(smoke\) ran the smoke preset/);
    expect(wrapper.find('.config-differences').text()).toContain('DASH: preset smoke vs quick; retrain.epochs 3 vs 8');
    expect(wrapper.findAll('.results-table tbody tr').map(cells)).toEqual([
      ['DASH (smoke)', '3', '6.60 ± 0.30', '6.30', '6.90', '[6.30, 6.90]', 'smoke: not a result'],
      ['DASH (quick)', '3', '6.60 ± 0.30', '6.30', '6.90', '–', ''],
      ['P-DASH', '2 +1', '5.850 ± 0.071', '5.800', '5.900', '[5.800, 5.900]', ''],
    ]);
    expect(wrapper.findAll('.results-table tbody tr.smoke')).toHaveLength(1);
    expect(wrapper.findAll('.welch-table tbody tr').map(cells)).toEqual([['DASH (quick) vs P-DASH', '3.600', '2.30', '0.052', '0.75', '4']]);
    expect(wrapper.findAll('.paired-table tbody tr').map(cells)).toEqual([['DASH (smoke) vs DASH (quick)', '0, 1', '0.5', '7.071', '1', '0.089', '0', '0.500', '2']]);
    expect(wrapper.find('.seeds-needed-note').text()).toContain('alpha 0.05 with power 0.8');
  });

  it('without published numbers there is no published column', () => {
    const wrapper = mount(ResultsTable, { props: { comparison: sampleComparison() } });
    expect(wrapper.findAll('.results-table th').map((h) => h.text())).not.toContain('Published (ninapro)');
    expect(wrapper.find('.published-table').exists()).toBe(false);
  });
});

describe('ArchitectureGrid and ArchitectureDiff', () => {
  it('grids seeds per layer and marks the choices that differ from the modal one', () => {
    const wrapper = mount(ArchitectureGrid, { props: { comparison: sampleComparison(), runs: sampleRuns } });
    const dash = wrapper.find('[data-method="dash"]');
    expect(dash.find('h3').text()).toContain('mean agreement across seeds 83%');
    expect(dash.findAll('tbody tr').map(cells)).toEqual([
      ['0 block.conv0', 'k3 d1', 'k3 d1', 'k3 d1', 'k3 d1', '100% (3/3)'],
      ['1 block.conv1', 'k5 d3', 'k5 d1', 'k5 d3', 'k5 d3', '67% (2/3)'],
    ]);
    expect(dash.findAll('td.differs').map((c) => c.text())).toEqual(['k5 d1']);
  });

  it('diffs two runs of different methods by default, and follows the chosen runs', async () => {
    const wrapper = mount(ArchitectureDiff, { props: { runs: sampleRuns } });
    const [a, b] = wrapper.findAll('select');
    expect((a!.element as HTMLSelectElement).value).toBe('1');
    expect((b!.element as HTMLSelectElement).value).toBe('4');
    expect(wrapper.find('.summary').text()).toBe('1 of 2 layers differ');
    expect(wrapper.findAll('tbody tr').map(cells)).toEqual([
      ['0 block.conv0', 'k3 d1', 'k3 d1', '3 → 3'],
      ['1 block.conv1', 'k5 d3', 'k7 d1', '13 → 7 (-6)'],
    ]);
    await b!.setValue('3');
    expect(wrapper.find('.summary').text()).toBe('Same architecture');
  });
});
