import { flushPromises, type VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../../../src/shared/contract/index.ts';
import { LabError } from '../../../../../src/shared/errors.ts';
import { FakeTransport } from '../../fake-transport.ts';
import { alphaLayers, datasetDetail, epochPoint, experimentSummary, runDetail, runSummary } from '../../lab-fixtures.ts';
import { mountAppAt } from '../../mount-app.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

function lab(detail: () => RunDetail): FakeTransport {
  return new FakeTransport()
    .answer('runs/show', () => detail())
    .answer('experiments/show', () => experimentSummary())
    .answer('datasets/show', () => datasetDetail());
}

const heatmapText = (wrapper: VueWrapper, layer: number): string[][] =>
  wrapper
    .get(`.alpha-heatmap[data-layer="${layer}"]`)
    .findAll('tbody tr')
    .map((row) => row.findAll('td').map((td) => td.text()));

describe('RunMonitorView', () => {
  it('shows a running run: title, context, progress, phase, curves and every layer’s alpha grid', async () => {
    const detail = runDetail({ alpha: [{ round: 0, epoch: 0, layers: alphaLayers([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]]) }] });
    const { wrapper } = await mountAppAt('/runs/1', lab(() => detail));

    expect(wrapper.get('main h1').text()).toBe('Run #1: DASH, seed 0');
    expect(wrapper.get('.page-header p').text()).toBe('dash on toy · dataset toy · preset smoke');
    expect(wrapper.get('.nav-link.is-active').text()).toBe('Experiments');
    expect(wrapper.get('[data-progress]').text()).toBe('10%');
    expect(wrapper.get('.phases li[data-phase="search"]').attributes('data-state')).toBe('active');
    expect(wrapper.get('.phases li[data-phase="retrain"]').attributes('data-state')).toBe('todo');
    expect(wrapper.get('[data-eta]').text()).toBe('estimating the time left…');
    expect(wrapper.findAll('.curve').map((c) => c.attributes('data-phase'))).toEqual(['search']);
    expect(heatmapText(wrapper, 0)).toEqual([
      ['10.0', '20.0'],
      ['30.0', '40.0'],
    ]);
    expect(wrapper.get('.alpha-heatmap[data-layer="0"] td.is-leading').attributes('data-cell')).toBe('5x2');
    expect(wrapper.findAll('.alpha-heatmap')).toHaveLength(2);
    expect(wrapper.text()).toContain('Chosen after the search');
  });

  it('updates live from events: progress, epoch curves and new alpha snapshots', async () => {
    const transport = lab(() => runDetail());
    const { wrapper } = await mountAppAt('/runs/1', transport);

    transport.emitEvent('runs/progress', { runId: 1, phase: 'search', progress: 0.3, epoch: epochPoint({ epoch: 1, trainLoss: 0.5 }) });
    transport.emitEvent('runs/alpha', { runId: 1, round: 0, epoch: 1, layers: alphaLayers([[0.7, 0.1, 0.1, 0.1]]) });
    await flushPromises();

    expect(wrapper.get('[data-progress]').text()).toBe('30%');
    expect(wrapper.get('.curve[data-phase="search"] figcaption').text()).toContain('2 epochs logged');
    const option = JSON.parse(wrapper.get('.curve[data-phase="search"] .chart-stub').attributes('data-option')!) as { series: { data: number[][] }[] };
    expect(option.series[0]?.data).toEqual([
      [1, 0.7],
      [2, 0.5],
    ]);
    expect(wrapper.get('.scrubber').text()).toContain('Snapshot 2 of 2');
    expect(heatmapText(wrapper, 0)[0]).toEqual(['70.0', '10.0']);
    expect(transport.sent.filter((s) => s.channel === 'runs/show')).toHaveLength(1);
  });

  it('the scrubber goes back to an older snapshot and stays there while new ones arrive', async () => {
    const transport = lab(() =>
      runDetail({
        alpha: [
          { round: 0, epoch: 0, layers: alphaLayers([[0.25, 0.25, 0.25, 0.25]]) },
          { round: 0, epoch: 1, layers: alphaLayers([[0.4, 0.2, 0.2, 0.2]]) },
        ],
      }),
    );
    const { wrapper } = await mountAppAt('/runs/1', transport);
    const slider = wrapper.get('input[type="range"]');

    await slider.setValue('0');
    expect(wrapper.get('[data-snapshot]').text()).toBe('search epoch 1');
    transport.emitEvent('runs/alpha', { runId: 1, round: 0, epoch: 2, layers: alphaLayers([[0.9, 0.05, 0.03, 0.02]]) });
    await flushPromises();
    expect(wrapper.get('[data-snapshot]').text()).toBe('search epoch 1');
    expect(wrapper.get('.scrubber').text()).toContain('of 3');

    await wrapper.get('.scrubber button').trigger('click');
    expect(wrapper.get('[data-snapshot]').text()).toBe('search epoch 3');
    expect(wrapper.get('.scrubber').text()).toContain('following the newest');
  });

  it('pause asks the lab, says it is pausing, and offers Resume once the worker stopped', async () => {
    let served = runDetail();
    const transport = lab(() => served).answer('runs/pause', () => runSummary({ id: 1, status: 'running', phase: 'search', progress: 0.1 }));
    const { wrapper } = await mountAppAt('/runs/1', transport);

    const pause = wrapper.findAll('.run-controls .buttons button').find((b) => b.text() === 'Pause');
    await pause!.trigger('click');
    await flushPromises();
    expect(transport.sent.find((s) => s.channel === 'runs/pause')?.request).toEqual({ run: 1 });
    expect(wrapper.get('.run-controls').text()).toContain('Pausing at the next step…');

    served = runDetail({ status: 'paused', checkpoint: { phase: 'search', epoch: 1 } });
    transport.emitEvent('runs/status', { runId: 1, experimentId: 1, status: 'paused', error: null });
    await flushPromises();
    expect(wrapper.findAll('.run-controls .buttons button').map((b) => b.text())).toEqual(['Resume']);
    expect(wrapper.get('[data-eta]').text()).toBe('stopped; resumes from search epoch 1');
  });

  it('cancel asks first, then sends runs/cancel', async () => {
    const transport = lab(() => runDetail()).answer('runs/cancel', () => runSummary({ id: 1, status: 'running' }));
    const { wrapper } = await mountAppAt('/runs/1', transport);

    await wrapper.get('.run-controls .buttons button.button-danger').trigger('click');
    await flushPromises();
    expect(transport.sent.some((s) => s.channel === 'runs/cancel')).toBe(false);
    const dialog = wrapper.get('.run-controls dialog');
    expect(dialog.text()).toContain('Cancel run #1?');
    await dialog.get('button.button-danger').trigger('click');
    await flushPromises();

    expect(transport.sent.find((s) => s.channel === 'runs/cancel')?.request).toEqual({ run: 1 });
    expect(wrapper.get('.run-controls').text()).toContain('Cancelling at the next step…');
  });

  it('a refused action is shown in place with its hint', async () => {
    const transport = lab(() => runDetail({ status: 'failed', error: { code: 'internal', message: 'Worker crashed.' } })).answer('runs/resume', () => {
      throw new LabError('conflict', 'Run 1 cannot be resumed: its dataset was removed.', 'Import the dataset again.');
    });
    const { wrapper } = await mountAppAt('/runs/1', transport);
    expect(wrapper.get('.run-error .error-message').text()).toBe('Worker crashed.');

    await wrapper.get('.run-controls .buttons button').trigger('click');
    await flushPromises();

    const alert = wrapper.get('.run-controls [role="alert"]');
    expect(alert.get('.error-title').text()).toBe("Could not resume the run: it conflicts with the lab's current state");
    expect(alert.get('.error-hint').text()).toBe('Import the dataset again.');
    expect(wrapper.get('.run-controls .buttons button').text()).toBe('Resume');
  });

  it('a finished run shows its result, chosen architecture and HP trials', async () => {
    const detail = runDetail({
      status: 'done',
      phase: 'test',
      progress: 1,
      metric: { name: 'error', direction: 'minimize', value: 6.25 },
      validation: 5,
      seconds: { search: 1.9, select: 0.0002, 'hp-search': 1.4, retrain: 2.1, test: 0.04, total: 5.5 },
      architecture: [{ layer: 0, kernel: 5, dilation: 2 }],
      archId: '8e806fa39b18358f',
      parameters: 1826,
      flops: 101920,
      epochs: [epochPoint(), epochPoint({ phase: 'hp-search', trial: 0 }), epochPoint({ phase: 'retrain', validation: 5 })],
      hpTrials: [
        { trial: 0, hp: { lr: 0.1, dropout: 0, weightDecay: 5e-4, momentum: 0.9 }, validation: 5, diverged: false, wallMs: 790 },
        { trial: 1, hp: { lr: 0.01, dropout: 0, weightDecay: 5e-4, momentum: 0.9 }, validation: 33.3, diverged: false, wallMs: 580 },
      ],
    });
    const { wrapper } = await mountAppAt('/runs/1', lab(() => detail));

    expect(wrapper.get('[data-eta]').text()).toBe('finished in 5.5 s');
    expect(wrapper.findAll('.phases li').map((li) => li.attributes('data-state'))).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(wrapper.get('.phases li[data-phase="select"] .phase-time').text()).toBe('< 0.1 s');
    expect(wrapper.get('dd[data-fact="test-metric"]').text()).toBe('6.25%');
    expect(wrapper.findAll('.curve').map((c) => c.attributes('data-phase'))).toEqual(['search', 'hp-search', 'retrain']);
    expect(wrapper.get('table.architecture tbody tr').text()).toMatch(/0\s*block1\.conv1\s*5\s*2\s*9/);
    expect(wrapper.get('.arch-facts').text()).toContain('1.826 k parameters');
    expect(wrapper.get('table.hp-trials tr[data-trial="0"]').classes()).toContain('is-best');
    expect(wrapper.get('table.hp-trials tr[data-trial="1"]').text()).toContain('33.3%');
    expect(wrapper.findAll('.run-controls .buttons button').map((b) => b.text())).toEqual([]);
  });

  it('a run that cannot be shown says why, and Try again asks again', async () => {
    let calls = 0;
    const transport = lab(() => {
      calls += 1;
      if (calls === 1) throw new LabError('not-found', 'No run 1 in this lab.', 'List them with `pdash experiments list`.');
      return runDetail();
    });
    const { wrapper } = await mountAppAt('/runs/1', transport);

    expect(wrapper.get('[role="alert"] .error-title').text()).toBe('Could not show run #1: something it needs was not found');
    await wrapper.get('[role="alert"] button').trigger('click');
    await flushPromises();
    expect(wrapper.find('.run-progress').exists()).toBe(true);
  });

  it('stops following the run when the view closes', async () => {
    const transport = lab(() => runDetail()).answer('experiments/list', () => ({ items: [], total: 0 }));
    const { wrapper, router } = await mountAppAt('/runs/1', transport);
    await router.push('/experiments');
    await flushPromises();

    transport.emitEvent('runs/status', { runId: 1, experimentId: 1, status: 'done', error: null });
    await flushPromises();
    expect(transport.sent.filter((s) => s.channel === 'runs/show')).toHaveLength(1);
    wrapper.unmount();
  });
});
