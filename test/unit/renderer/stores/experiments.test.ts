import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../../src/shared/errors.ts';
import { EXPERIMENTS_PAGE_SIZE, statusCounts, useExperimentsStore } from '../../../../src/renderer/stores/experiments.ts';
import { FakeTransport, deferred, installLab } from '../fake-transport.ts';
import { experimentSummary, runSummary } from '../lab-fixtures.ts';

describe('useExperimentsStore', () => {
  let transport: FakeTransport;

  beforeEach(() => {
    transport = new FakeTransport();
    installLab(transport);
  });

  it('load() asks experiments/list for a page', async () => {
    transport.answer('experiments/list', () => ({ items: [experimentSummary()], total: 1 }));
    const experiments = useExperimentsStore();

    await experiments.load(0);

    expect(transport.sent).toEqual([{ channel: 'experiments/list', request: { offset: 0, limit: EXPERIMENTS_PAGE_SIZE } }]);
    expect(experiments.items[0]?.name).toBe('dash on toy');
    expect(experiments.total).toBe(1);
  });

  it('runs/status and runs/progress update a listed run in place, without asking again while it runs', async () => {
    transport.answer('experiments/list', () => ({ items: [experimentSummary()], total: 1 }));
    const experiments = useExperimentsStore();
    await experiments.load(0);

    transport.emitEvent('runs/status', { runId: 1, experimentId: 1, status: 'running', error: null });
    transport.emitEvent('runs/progress', { runId: 1, phase: 'search', progress: 0.2, epoch: null });

    const run = experiments.items[0]?.runs.find((r) => r.id === 1);
    expect(run?.status).toBe('running');
    expect(run?.phase).toBe('search');
    expect(run?.progress).toBe(0.2);
    expect(transport.sent).toHaveLength(1);
  });

  it('a run that settles brings its experiment again, for the metric and times events do not carry', async () => {
    transport.answer('experiments/list', () => ({ items: [experimentSummary()], total: 1 }));
    const finished = experimentSummary({
      runs: [
        runSummary({ id: 1, status: 'done', progress: 1, phase: 'test', metric: { name: 'error', direction: 'minimize', value: 12.5 }, seconds: { total: 5.5 } }),
        runSummary({ id: 2, seed: 1, status: 'running' }),
      ],
    });
    transport.answer('experiments/show', () => finished);
    const experiments = useExperimentsStore();
    await experiments.load(0);

    transport.emitEvent('runs/status', { runId: 1, experimentId: 1, status: 'done', error: null });
    await flushPromises();

    expect(transport.sent.filter((s) => s.channel === 'experiments/show')[0]).toEqual({ channel: 'experiments/show', request: { experiment: 1 } });
    expect(experiments.items[0]?.runs[0]?.metric?.value).toBe(12.5);
  });

  it('a status event of an experiment the first page has not seen (started elsewhere) puts it on top', async () => {
    transport.answer('experiments/list', () => ({ items: [experimentSummary({ id: 1 })], total: 1 }));
    transport.answer('experiments/show', () => experimentSummary({ id: 2, name: 'from the CLI' }));
    const experiments = useExperimentsStore();
    await experiments.load(0);

    transport.emitEvent('runs/status', { runId: 3, experimentId: 2, status: 'running', error: null });
    await flushPromises();

    expect(experiments.items.map((e) => e.name)).toEqual(['from the CLI', 'dash on toy']);
    expect(experiments.total).toBe(2);
  });

  it('events of other pages are ignored', async () => {
    transport.answer('experiments/list', () => ({ items: [experimentSummary({ id: 1 })], total: 30 }));
    const experiments = useExperimentsStore();
    await experiments.load(10);

    transport.emitEvent('runs/status', { runId: 99, experimentId: 40, status: 'running', error: null });

    expect(transport.sent.filter((s) => s.channel === 'experiments/show')).toEqual([]);
  });

  it('create() sends the request and shows the new experiment first', async () => {
    transport.answer('experiments/list', () => ({ items: [experimentSummary({ id: 1 })], total: 1 }));
    transport.answer('experiments/create', () => experimentSummary({ id: 2, name: 'new one' }));
    const experiments = useExperimentsStore();
    await experiments.load(0);

    const created = await experiments.create({ dataset: 1, methods: ['dash'], seeds: [0, 1], preset: 'smoke' });

    expect(created.id).toBe(2);
    expect(transport.sent.at(-1)).toEqual({ channel: 'experiments/create', request: { dataset: 1, methods: ['dash'], seeds: [0, 1], preset: 'smoke' } });
    expect(experiments.items.map((e) => e.id)).toEqual([2, 1]);
    expect(experiments.total).toBe(2);
  });

  it('a refused create throws the LabError and leaves the list as it was', async () => {
    transport.answer('experiments/list', () => ({ items: [experimentSummary({ id: 1 })], total: 1 }));
    transport.answer('experiments/create', () => {
      throw new LabError('bad-request', 'Method pdash is not available in this engine build; it runs dash.', 'Choose --methods dash.');
    });
    const experiments = useExperimentsStore();
    await experiments.load(0);

    await expect(experiments.create({ dataset: 1, methods: ['pdash'], seeds: [0] })).rejects.toMatchObject({ code: 'bad-request', hint: 'Choose --methods dash.' });
    expect(experiments.items.map((e) => e.id)).toEqual([1]);
    expect(experiments.total).toBe(1);
  });

  it('experiment() answers from the list, else asks experiments/show', async () => {
    transport.answer('experiments/list', () => ({ items: [experimentSummary({ id: 1 })], total: 1 }));
    transport.answer('experiments/show', () => experimentSummary({ id: 9 }));
    const experiments = useExperimentsStore();
    await experiments.load(0);

    expect((await experiments.experiment(1)).id).toBe(1);
    expect((await experiments.experiment(9)).id).toBe(9);
    expect(transport.sent.filter((s) => s.channel === 'experiments/show')).toHaveLength(1);
  });

  it('reset() forgets the list; an answer in flight does not land after it', async () => {
    const late = deferred<unknown>();
    transport.answer('experiments/list', () => late.promise);
    const experiments = useExperimentsStore();
    const loading = experiments.load(0);

    experiments.reset();
    late.resolve({ items: [experimentSummary()], total: 1 });
    await loading;

    expect(experiments.items).toEqual([]);
    expect(experiments.loaded).toBe(false);
  });

  it('statusCounts() counts runs per status', () => {
    expect(statusCounts([runSummary({ status: 'done' }), runSummary({ status: 'done' }), runSummary({ status: 'failed' })])).toEqual({ done: 2, failed: 1 });
  });
});
