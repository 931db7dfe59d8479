import { flushPromises, type VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { Comparison, RunDetail } from '../../../../../src/shared/contract/index.ts';
import { LabError } from '../../../../../src/shared/errors.ts';
import { sampleComparison, sampleRuns } from '../../../shared/charts/samples.ts';
import { FakeTransport } from '../../fake-transport.ts';
import { experimentSummary } from '../../lab-fixtures.ts';
import { mountAppAt } from '../../mount-app.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

function lab(comparison: Comparison = sampleComparison(), runs: readonly RunDetail[] = sampleRuns): FakeTransport {
  return new FakeTransport()
    .answer('experiments/list', () => ({ items: [experimentSummary({ id: 1, name: 'DASH vs P-DASH' })], total: 1 }))
    .answer('compare', () => comparison)
    .answer('runs/show', (request) => {
      const run = runs.find((r) => r.id === (request as { run: number }).run);
      if (run === undefined) throw new LabError('not-found', 'No such run.');
      return run;
    });
}

type Axis = { name: string };
const option = (wrapper: VueWrapper, chart: string): { xAxis: Axis; yAxis: Axis } => JSON.parse(wrapper.get(`figure[data-chart="${chart}"] .chart-stub`).attributes('data-option')!) as { xAxis: Axis; yAxis: Axis };
const costCharts = (wrapper: VueWrapper): string[] => wrapper.findAll('figure[data-chart^="phase-"]').map((f) => f.attributes('data-chart')!);

describe('CompareView cost charts', () => {
  it('draw estimated FLOPs where the runs logged them, with wall seconds one choice away for both charts', async () => {
    const { wrapper } = await mountAppAt('/compare?experiment=1', lab());

    expect(costCharts(wrapper)).toEqual(['phase-flops']);
    expect(wrapper.get('figure[data-chart="phase-flops"] h3').text()).toBe('Cost: estimated FLOPs per phase');
    expect(option(wrapper, 'phase-flops').yAxis.name).toBe('mean estimated TFLOPs per run');
    expect(option(wrapper, 'metric-vs-compute').xAxis.name).toBe('compute spent: estimated TFLOPs per run (all phases)');
    const select = wrapper.get('select[aria-label="Compute axis of the metric against compute"]');
    expect((select.element as HTMLSelectElement).value).toBe('flops');

    await select.setValue('seconds');
    await flushPromises();

    expect(costCharts(wrapper)).toEqual(['phase-seconds']);
    expect(option(wrapper, 'phase-seconds').yAxis.name).toBe('mean wall seconds per run');
    expect(option(wrapper, 'metric-vs-compute').xAxis.name).toBe('compute spent: wall seconds per run (all phases)');
    expect((wrapper.get('select[aria-label="Compute axis of the cost per phase"]').element as HTMLSelectElement).value).toBe('seconds');
  });

  it('runs logged before the lab counted FLOPs: wall seconds, and the choice is off', async () => {
    const base = sampleComparison();
    const unlogged: Comparison = { ...base, methods: base.methods.map((m) => ({ ...m, flopsSpent: { total: 0 } })) };
    const { wrapper } = await mountAppAt('/compare?experiment=1', lab(unlogged, sampleRuns.map((r) => ({ ...r, flopsSpent: { total: 0 } }))));

    expect(costCharts(wrapper)).toEqual(['phase-seconds']);
    expect(option(wrapper, 'metric-vs-compute').xAxis.name).toBe('compute spent: wall seconds per run (all phases)');
    const select = wrapper.get('select[aria-label="Compute axis of the cost per phase"]');
    expect(select.attributes('disabled')).toBeDefined();
    expect(select.attributes('title')).toContain('wall seconds only');
  });
});
