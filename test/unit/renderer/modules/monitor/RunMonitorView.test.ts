import { flushPromises, type VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../../../src/shared/contract/index.ts';
import { LabError } from '../../../../../src/shared/errors.ts';
import { FakeTransport } from '../../fake-transport.ts';
import { alphaLayers, datasetDetail, epochPoint, experimentSummary, patterns2x2, runDetail, runSummary, searchRound, smokeConfig } from '../../lab-fixtures.ts';
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
    expect(wrapper.get('.arch-facts').text()).toContain('1.8 k parameters');
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

  describe('P-DASH', () => {
    const round1 = searchRound(1, 2, 2, [[3, 1], [5, 2], [3, 2], [5, 1]], [[5, 1], [3, 2], [5, 2], [3, 1]]);
    const round2 = searchRound(2, 2, 1, [[5, 2], [3, 1]], [[3, 2], [5, 1]]);
    const roundLayers = (weights: number[][], kept: typeof patterns2x2[]) =>
      alphaLayers(weights).map((layer, i) => ({ ...layer, patterns: kept[i]!, alpha: layer.alpha.slice(0, kept[i]!.length), softmax: layer.softmax.slice(0, kept[i]!.length) }));
    const pdashRun = (overrides: Parameters<typeof runDetail>[0] = {}) =>
      runDetail({
        method: 'pdash',
        config: smokeConfig(),
        alpha: [
          { round: 1, epoch: 0, layers: alphaLayers([[0.3, 0.2, 0.2, 0.3], [0.2, 0.3, 0.3, 0.2]]) },
          { round: 2, epoch: 0, layers: roundLayers([[0.4, 0.6], [0.7, 0.3]], [[patterns2x2[0]!, patterns2x2[3]!], [patterns2x2[1]!, patterns2x2[2]!]]) },
        ],
        epochs: [epochPoint({ round: 1 }), epochPoint({ round: 2 })],
        ...overrides,
      });
    const gridStates = (wrapper: VueWrapper, layer: number, round: number): string[] =>
      wrapper.get(`.timeline tr[data-layer="${layer}"] td[data-round="${round}"]`).findAll('.cell').map((c) => `${c.attributes('data-cell')}:${c.attributes('data-state')}`);

    it("shows each layer's rounds as kept and pruned patterns, the chosen one at the end of the row", async () => {
      const { wrapper } = await mountAppAt('/runs/1', lab(() => pdashRun({ status: 'done', phase: 'test', progress: 1, rounds: [round1, round2] })));

      const timeline = wrapper.get('[data-section="pruning-timeline"]');
      expect(timeline.get('h2').text()).toBe('Pruning per round');
      expect(timeline.findAll('thead th[data-round]').map((th) => th.text())).toEqual(['Round 14 → 2', 'Round 22 → 1']);
      expect(gridStates(wrapper, 0, 1)).toEqual(['3x1:kept', '3x2:pruned', '5x1:pruned', '5x2:kept']);
      expect(gridStates(wrapper, 0, 2)).toEqual(['3x1:pruned', '3x2:gone', '5x1:gone', '5x2:chosen']);
      expect(timeline.findAll('[data-chosen]').map((td) => td.text())).toEqual(['k5 d2', 'k3 d2']);
      expect(timeline.get('tr[data-layer="0"] td[data-round="1"] .cell[data-cell="3x2"]').attributes('title')).toBe('k=3, d=2: pruned in this round, rank 3 of 4, softmax 30.0%');
      expect(wrapper.find('[data-section="selection"]').exists()).toBe(false);
    });

    it('a grid opens that round’s ranking for the layer, with scores and fates', async () => {
      const { wrapper } = await mountAppAt('/runs/1', lab(() => pdashRun({ status: 'done', phase: 'test', progress: 1, rounds: [round1, round2] })));

      await wrapper.get('.timeline tr[data-layer="1"] td[data-round="1"] button').trigger('click');
      const ranking = wrapper.get('.ranking');
      expect(ranking.get('h3').text()).toContain('Layer 1 block1.conv2, round 1: ranking by softmax(alpha)');
      expect(ranking.findAll('tbody tr').map((tr) => tr.findAll('td').map((td) => td.text()))).toEqual([
        ['1', '5', '1', '40.0%', 'kept'],
        ['2', '3', '2', '35.0%', 'kept'],
        ['3', '5', '2', '30.0%', 'pruned'],
        ['4', '3', '1', '25.0%', 'pruned'],
      ]);
      await wrapper.get('.timeline tr[data-layer="1"] td[data-round="1"] button').trigger('click');
      expect(wrapper.find('.ranking').exists()).toBe(false);
    });

    it('live: the planned rounds show where the run is, and runs/round fills the next column', async () => {
      const transport = lab(() => pdashRun({ phase: 'search', rounds: [round1] }));
      const { wrapper } = await mountAppAt('/runs/1', transport);

      expect(wrapper.get('th[data-round="2"]').attributes('data-status')).toBe('searching');
      expect(wrapper.get('th[data-round="2"]').text()).toContain('2 → 1');
      expect(wrapper.findAll('td[data-round="2"] .cell')).toHaveLength(0);
      expect(wrapper.get('.phases li[data-phase="search"] .phase-time').text()).toBe('round 2 of 2');

      transport.emitEvent('runs/round', { runId: 1, ...round2 });
      await flushPromises();

      expect(wrapper.get('th[data-round="2"]').attributes('data-status')).toBe('done');
      expect(gridStates(wrapper, 1, 2)).toEqual(['3x1:gone', '3x2:chosen', '5x1:pruned', '5x2:gone']);
      expect(wrapper.findAll('[data-chosen]').map((td) => td.text())).toEqual(['k5 d2', 'k3 d2']);
      expect(transport.sent.filter((s) => s.channel === 'runs/show')).toHaveLength(1);
    });

    it('searching again after a ranking is the next round, before its first epoch is logged', async () => {
      const { wrapper } = await mountAppAt('/runs/1', lab(() => pdashRun({ phase: 'search', rounds: [round1], epochs: [epochPoint({ round: 1 })] })));
      expect(wrapper.get('.phases li[data-phase="search"] .phase-time').text()).toBe('round 2 of 2');
    });

    it('before its first round ends, the plan from its configuration: every round to come', async () => {
      const { wrapper } = await mountAppAt('/runs/1', lab(() => pdashRun({ alpha: [{ round: 1, epoch: 0, layers: alphaLayers([[0.25, 0.25, 0.25, 0.25]]) }], epochs: [epochPoint({ round: 1 })] })));
      expect(wrapper.findAll('th[data-round]').map((th) => [th.attributes('data-round'), th.attributes('data-status')])).toEqual([
        ['1', 'searching'],
        ['2', 'pending'],
      ]);
      expect(wrapper.get('.pruning-timeline .legend').text()).toContain('k ∈ {3, 5}');
    });

    it('queued, before any search: the rounds its configuration plans on the grid of its preset and dataset', async () => {
      const { wrapper } = await mountAppAt('/runs/1', lab(() => pdashRun({ status: 'queued', phase: null, progress: 0, alpha: [], epochs: [] })));
      expect(wrapper.findAll('th[data-round]').map((th) => [th.attributes('data-round'), th.text(), th.attributes('data-status')])).toEqual([
        ['1', 'Round 14 → 2 to come', 'pending'],
        ['2', 'Round 22 → 1 to come', 'pending'],
      ]);
      expect(wrapper.get('.pruning-timeline .legend').text()).toContain('k ∈ {3, 5}');
      expect(wrapper.get('.pruning-timeline .legend').text()).toContain('d ∈ {1, 2}');
    });

    it('the alpha heatmaps per round: the round picker limits the scrubber to its snapshots', async () => {
      const { wrapper } = await mountAppAt('/runs/1', lab(() => pdashRun({ rounds: [round1] })));

      expect(wrapper.findAll('.round-picker button').map((b) => b.text())).toEqual(['All rounds', 'Round 1 4 candidates', 'Round 2 2 candidates']);
      expect(wrapper.get('[data-snapshot]').text()).toBe('round 2 · search epoch 1');
      expect(wrapper.get('.alpha-heatmap[data-layer="0"] td[data-cell="3x2"]').classes()).toContain('is-pruned');

      await wrapper.get('.round-picker button[data-round="1"]').trigger('click');
      expect(wrapper.get('.scrubber').text()).toContain('Snapshot 1 of 1');
      expect(wrapper.get('[data-snapshot]').text()).toBe('round 1 · search epoch 1');
      expect(wrapper.get('.scrubber').text()).toContain("the round's last epoch");
      expect(heatmapText(wrapper, 0)).toEqual([
        ['30.0', '20.0'],
        ['20.0', '30.0'],
      ]);
    });
  });

  it("DASH's selection shows as one column of chosen and not-chosen patterns", async () => {
    const selection = searchRound(0, 1, 1, [[5, 1], [3, 1], [3, 2], [5, 2]]);
    const { wrapper } = await mountAppAt('/runs/1', lab(() => runDetail({ status: 'done', phase: 'test', progress: 1, rounds: [selection] })));

    const section = wrapper.get('[data-section="selection"]');
    expect(section.get('h2').text()).toBe('Selection');
    expect(section.findAll('thead th[data-round]').map((th) => th.text())).toEqual(['Selection4 → 1']);
    expect(section.get('.legend').text()).toContain('not chosen');
    expect(section.get('[data-chosen]').text()).toBe('k5 d1');
    expect(wrapper.find('.round-picker').exists()).toBe(false);
  });

  it('a DASH run still searching has no selection section yet', async () => {
    const { wrapper } = await mountAppAt('/runs/1', lab(() => runDetail()));
    expect(wrapper.find('[data-section="selection"]').exists()).toBe(false);
    expect(wrapper.find('[data-section="pruning-timeline"]').exists()).toBe(false);
  });

  it("the random baseline: its candidates with validation, the best marked, and no alpha", async () => {
    const candidate = (index: number, validation: number | null, diverged = false) => ({
      candidate: index,
      layers: [{ kernel: 3, dilation: 1 }, { kernel: 5, dilation: 2 }],
      validation,
      diverged,
      flops: 3.1e8,
      wallMs: 1200,
    });
    const transport = lab(() =>
      runDetail({
        method: 'random',
        alpha: [],
        epochs: [epochPoint({ trial: 0 }), epochPoint({ trial: 1 })],
        randomCandidates: [candidate(0, 40), candidate(1, 25), candidate(2, null, true), candidate(3, 25)],
      }),
    );
    const { wrapper } = await mountAppAt('/runs/1', transport);

    expect(wrapper.get('h1').text()).toBe('Run #1: Random, seed 0');
    expect(wrapper.find('.alpha-explorer').exists()).toBe(false);
    expect(wrapper.text()).not.toContain('Architecture weights per layer');
    const rows = wrapper.findAll('table.random-candidates tbody tr');
    expect(rows.map((r) => r.findAll('td').map((td) => td.text()))).toEqual([
      ['1', '3/1 5/2', '40%', '310 M', '1.2 s'],
      ['2 best', '3/1 5/2', '25%', '310 M', '1.2 s'],
      ['3 diverged', '3/1 5/2', '—', '310 M', '1.2 s'],
      ['4', '3/1 5/2', '25%', '310 M', '1.2 s'],
    ]);
    expect(wrapper.get('tr[data-candidate="1"]').classes()).toContain('is-best');
    expect(wrapper.findAll('.phases li').map((li) => li.get('.phase-title').text())).toEqual(['Candidates', 'HP search', 'Retrain', 'Test']);
  });

  it('the backbone baseline: no search to show', async () => {
    const { wrapper } = await mountAppAt('/runs/1', lab(() => runDetail({ method: 'backbone', phase: 'hp-search', alpha: [], epochs: [epochPoint({ phase: 'hp-search', trial: 0 })] })));

    expect(wrapper.get('[data-section="no-search"]').text()).toContain('does not search');
    expect(wrapper.find('.alpha-explorer').exists()).toBe(false);
    expect(wrapper.findAll('.phases li').map((li) => li.attributes('data-phase'))).toEqual(['hp-search', 'retrain', 'test']);
    expect(wrapper.get('.phases li[data-phase="hp-search"]').attributes('data-state')).toBe('active');
  });
});
