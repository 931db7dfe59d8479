import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Comparison, RunDetail } from '../../../../src/shared/contract/index.ts';
import { LabError } from '../../../../src/shared/errors.ts';
import { sameSelection, useCompareStore } from '../../../../src/renderer/stores/compare.ts';
import { sampleComparison, sampleRuns } from '../../shared/charts/samples.ts';
import { FakeTransport, deferred, installLab } from '../fake-transport.ts';

function answerRuns(transport: FakeTransport, runs: readonly RunDetail[] = sampleRuns): void {
  transport.answer('runs/show', (request) => {
    const run = runs.find((r) => r.id === (request as { run: number }).run);
    if (run === undefined) throw new LabError('not-found', `No run ${(request as { run: number }).run} in this lab.`);
    return run;
  });
}

const sent = (transport: FakeTransport, channel: string) => transport.sent.filter((s) => s.channel === channel).map((s) => s.request);

describe('useCompareStore', () => {
  let transport: FakeTransport;

  beforeEach(() => {
    transport = new FakeTransport();
    installLab(transport);
  });

  it('loadExperiments() lists the experiments to choose from', async () => {
    transport.answer('experiments/list', () => ({ items: [{ id: 3 }, { id: 1 }], total: 2 }));
    const store = useCompareStore();
    await store.loadExperiments();
    expect(sent(transport, 'experiments/list')).toEqual([{ offset: 0, limit: 500 }]);
    expect(store.experiments.map((e) => e.id)).toEqual([3, 1]);
    expect(store.experimentsTotal).toBe(2);
    expect(store.experimentsLoading).toBe(false);
  });

  it('select() compares an experiment and fetches the details of every run, loading while it waits', async () => {
    const answer = deferred<Comparison>();
    transport.answer('compare', () => answer.promise);
    answerRuns(transport);
    const store = useCompareStore();

    const done = store.select({ experiment: 1 });
    expect(store.loading).toBe(true);
    expect(store.selection).toEqual({ experiment: 1 });
    answer.resolve(sampleComparison());
    await done;

    expect(sent(transport, 'compare')).toEqual([{ experiment: 1 }]);
    expect(sent(transport, 'runs/show')).toEqual([1, 2, 3, 4, 5, 6].map((run) => ({ run })));
    expect(store.comparison?.methods.map((m) => m.method)).toEqual(['dash', 'pdash']);
    expect(store.runs.map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(store.finishedRuns.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(store.runsById.get(4)?.method).toBe('pdash');
    expect(store.loading).toBe(false);
    expect(store.error).toBeNull();
  });

  it('compares any saved runs', async () => {
    transport.answer('compare', () => ({ ...sampleComparison(), runIds: [2, 4] }));
    answerRuns(transport);
    const store = useCompareStore();
    await store.select({ runs: [2, 4] });
    expect(sent(transport, 'compare')).toEqual([{ runs: [2, 4] }]);
    expect(store.runs.map((r) => r.id)).toEqual([2, 4]);
  });

  it('an older selection answering late does not replace the newer one', async () => {
    const slow = deferred<Comparison>();
    transport.answer('compare', (request) => ('experiment' in (request as object) ? slow.promise : { ...sampleComparison(), runIds: [5] }));
    answerRuns(transport);
    const store = useCompareStore();

    const first = store.select({ experiment: 1 });
    await store.select({ runs: [5] });
    slow.resolve(sampleComparison());
    await first;

    expect(store.selection).toEqual({ runs: [5] });
    expect(store.comparison?.runIds).toEqual([5]);
    expect(store.runs.map((r) => r.id)).toEqual([5]);
    expect(store.loading).toBe(false);
  });

  it('a failed comparison keeps the LabError and shows no stale data', async () => {
    transport.answer('compare', () => {
      throw new LabError('bad-request', 'These runs report different metrics (error, relative-l2): they are not comparable.', 'Compare runs of one task at a time.');
    });
    const store = useCompareStore();
    await store.select({ runs: [1, 9] });
    expect(store.error?.code).toBe('bad-request');
    expect(store.error?.hint).toBe('Compare runs of one task at a time.');
    expect(store.comparison).toBeNull();
    expect(store.runs).toEqual([]);
    expect(store.loading).toBe(false);
  });

  it('follows the runs of the selection: a run that finishes or fails brings a fresh comparison', async () => {
    let calls = 0;
    transport.answer('compare', () => {
      calls += 1;
      return sampleComparison();
    });
    answerRuns(transport);
    const store = useCompareStore();
    await store.select({ experiment: 1 });
    expect(calls).toBe(1);

    // Other experiments and runs still under way change nothing here.
    transport.emitEvent('runs/status', { runId: 40, experimentId: 2, status: 'done', error: null });
    transport.emitEvent('runs/status', { runId: 6, experimentId: 1, status: 'running', error: null });
    expect(calls).toBe(1);

    transport.emitEvent('runs/status', { runId: 6, experimentId: 1, status: 'done', error: null });
    await flushPromises();
    expect(calls).toBe(2);
    expect(sent(transport, 'runs/show')).toHaveLength(12);
    expect(store.comparison).not.toBeNull();

    store.reset();
    transport.emitEvent('runs/status', { runId: 6, experimentId: 1, status: 'failed', error: null });
    expect(calls).toBe(2);
    expect(store.selection).toBeNull();
    expect(store.comparison).toBeNull();
  });

  it('exports the current selection and a run’s architecture through the export channels', async () => {
    transport.answer('compare', () => sampleComparison());
    answerRuns(transport);
    transport.answer('export/report', (request) => ({ name: 'pdash-experiment-1.md', mediaType: 'text/markdown', encoding: 'utf8', content: `# ${JSON.stringify(request)}`, bytes: 10 }));
    transport.answer('export/architecture', () => ({ files: [{ name: 'model.py', mediaType: 'text/x-python', encoding: 'utf8', content: 'import torch', bytes: 12 }] }));
    const store = useCompareStore();

    await expect(store.exportReport('md')).rejects.toMatchObject({ code: 'bad-request' });
    await store.select({ experiment: 1 });
    const file = await store.exportReport('md');
    expect(sent(transport, 'export/report')).toEqual([{ experiment: 1, format: 'md' }]);
    expect(file.name).toBe('pdash-experiment-1.md');
    const files = await store.exportArchitecture(4, 'pytorch');
    expect(sent(transport, 'export/architecture')).toEqual([{ run: 4, format: 'pytorch' }]);
    expect(files.map((f) => f.name)).toEqual(['model.py']);
  });
});

describe('sameSelection', () => {
  it('compares experiments by id and run lists in order', () => {
    expect(sameSelection({ experiment: 1 }, { experiment: 1 })).toBe(true);
    expect(sameSelection({ experiment: 1 }, { experiment: 2 })).toBe(false);
    expect(sameSelection({ runs: [1, 2] }, { runs: [1, 2] })).toBe(true);
    expect(sameSelection({ runs: [1, 2] }, { runs: [1] })).toBe(false);
    expect(sameSelection({ runs: [1] }, { experiment: 1 })).toBe(false);
    expect(sameSelection(null, null)).toBe(true);
    expect(sameSelection(null, { experiment: 1 })).toBe(false);
  });
});
