import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../../../src/shared/errors.ts';
import { FakeTransport } from '../../fake-transport.ts';
import { experimentSummary, runSummary } from '../../lab-fixtures.ts';
import { mountAppAt } from '../../mount-app.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

describe('ExperimentsView', () => {
  it('an empty lab says so and links to the form', async () => {
    const { wrapper } = await mountAppAt('/experiments', new FakeTransport().answer('experiments/list', () => ({ items: [], total: 0 })));
    expect(wrapper.get('.empty-state h2').text()).toBe('No experiments in this lab yet');
    expect(wrapper.get('.empty-commands code').text()).toContain('--lab /home/ada/pdash-lab');
    expect(wrapper.get('.toolbar a').attributes('href')).toBe('/experiments/new');
  });

  it('lists experiments with their runs, status counts and a link to each run', async () => {
    const experiment = experimentSummary({
      runs: [
        runSummary({ id: 1, seed: 0, status: 'done', progress: 1, phase: 'test', metric: { name: 'error', direction: 'minimize', value: 12.5 }, seconds: { total: 5.3 } }),
        runSummary({ id: 2, seed: 1, status: 'running', progress: 0.4, phase: 'search' }),
      ],
    });
    const { wrapper } = await mountAppAt('/experiments?created=1', new FakeTransport().answer('experiments/list', () => ({ items: [experiment], total: 1 })));

    const card = wrapper.get('article.experiment');
    expect(card.classes()).toContain('is-highlighted');
    expect(card.get('[data-count="done"]').text()).toBe('1 done');
    expect(card.get('[data-count="running"]').text()).toBe('1 running');
    expect(card.findAll('a.run-link').map((a) => a.attributes('href'))).toEqual(['/runs/1', '/runs/2']);
    expect(card.get('tr[data-run="1"]').text()).toContain('12.5%');
    expect(card.get('tr[data-run="1"]').text()).toContain('5.3 s');
    expect(card.get('tr[data-run="2"] [role="progressbar"]').attributes('aria-valuenow')).toBe('40');
  });

  it("names the search variant: perturbation selection and P-DASH's rounds where they were set", async () => {
    const experiment = experimentSummary({
      methods: ['dash', 'pdash'],
      settings: { dataset: 1, methods: ['dash', 'pdash'], seeds: [0], preset: 'quick', selection: 'perturbation', pdash: { schedule: [16, 4, 1], roundEpochs: 2 }, overrides: {} },
    });
    const { wrapper } = await mountAppAt('/experiments', new FakeTransport().answer('experiments/list', () => ({ items: [experiment], total: 1 })));
    const meta = wrapper.get('.experiment-meta').text();
    expect(meta).toContain('DASH, P-DASH');
    expect(meta).toContain('preset smoke · perturbation selection · P-DASH schedule 16 → 4 → 1, 2 epochs per round ·');
  });

  it('follows run events live: status counts and progress change without a reload', async () => {
    const transport = new FakeTransport()
      .answer('experiments/list', () => ({ items: [experimentSummary()], total: 1 }))
      .answer('experiments/show', () => experimentSummary({ runs: [runSummary({ id: 1, status: 'done', progress: 1 }), runSummary({ id: 2, seed: 1, status: 'running' })] }));
    const { wrapper } = await mountAppAt('/experiments', transport);
    expect(wrapper.get('[data-count="queued"]').text()).toBe('2 queued');

    transport.emitEvent('runs/status', { runId: 2, experimentId: 1, status: 'running', error: null });
    transport.emitEvent('runs/progress', { runId: 2, phase: 'search', progress: 0.25, epoch: null });
    await flushPromises();
    expect(wrapper.get('[data-count="running"]').text()).toBe('1 running');
    expect(wrapper.get('tr[data-run="2"] [role="progressbar"]').attributes('aria-valuenow')).toBe('25');
    expect(transport.sent.filter((s) => s.channel === 'experiments/list')).toHaveLength(1);

    transport.emitEvent('runs/status', { runId: 1, experimentId: 1, status: 'done', error: null });
    await flushPromises();
    expect(wrapper.get('[data-count="done"]').text()).toBe('1 done');
    expect(transport.sent.filter((s) => s.channel === 'experiments/list')).toHaveLength(1);
  });

  it('a failed run shows its error message', async () => {
    const experiment = experimentSummary({ runs: [runSummary({ id: 1, status: 'failed', error: { code: 'internal', message: 'The worker ran out of memory.', hint: 'Use a smaller batch.' } })] });
    const { wrapper } = await mountAppAt('/experiments', new FakeTransport().answer('experiments/list', () => ({ items: [experiment], total: 1 })));
    expect(wrapper.get('tr[data-run="1"] .run-error').text()).toBe('The worker ran out of memory.');
  });

  it('a list that cannot be loaded says why, and Try again asks again', async () => {
    let calls = 0;
    const transport = new FakeTransport().answer('experiments/list', () => {
      calls += 1;
      if (calls === 1) throw new LabError('unavailable', 'The lab database is locked.', 'Close the other process.');
      return { items: [experimentSummary()], total: 1 };
    });
    const { wrapper } = await mountAppAt('/experiments', transport);
    expect(wrapper.get('[role="alert"] .error-title').text()).toBe('Could not list the experiments: the lab cannot do it right now');
    await wrapper.get('[role="alert"] button').trigger('click');
    await flushPromises();
    expect(wrapper.find('article.experiment').exists()).toBe(true);
  });
});
