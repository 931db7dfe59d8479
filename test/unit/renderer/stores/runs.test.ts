import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunDetail } from '../../../../src/shared/contract/index.ts';
import { LabError } from '../../../../src/shared/errors.ts';
import { useRunsStore } from '../../../../src/renderer/stores/runs.ts';
import { FakeTransport, deferred, installLab } from '../fake-transport.ts';
import { alphaLayers, epochPoint, runDetail, runSummary, searchRound } from '../lab-fixtures.ts';

describe('useRunsStore', () => {
  let transport: FakeTransport;
  let served: RunDetail;

  beforeEach(() => {
    transport = new FakeTransport();
    installLab(transport);
    served = runDetail({ id: 1 });
    transport.answer('runs/show', () => served);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  const shows = (): number => transport.sent.filter((s) => s.channel === 'runs/show').length;

  it('load() asks runs/show and keeps the detail', async () => {
    const runs = useRunsStore();

    await runs.load(1);

    expect(transport.sent).toEqual([{ channel: 'runs/show', request: { run: 1 } }]);
    expect(runs.stateOf(1).detail).toEqual(served);
    expect(runs.stateOf(1).loading).toBe(false);
  });

  it('a failed load keeps the LabError for the run', async () => {
    transport.answer('runs/show', () => {
      throw new LabError('not-found', 'No run 1 in this lab.', 'List them with `pdash experiments list`.');
    });
    const runs = useRunsStore();

    await runs.load(1);

    expect(runs.stateOf(1).error?.code).toBe('not-found');
    expect(runs.stateOf(1).detail).toBeNull();
  });

  it('runs/progress appends epoch points and moves progress, without asking again within a phase', async () => {
    const runs = useRunsStore();
    await runs.load(1);

    transport.emitEvent('runs/progress', { runId: 1, phase: 'search', progress: 0.3, epoch: epochPoint({ epoch: 1, trainLoss: 0.6 }) });

    const detail = runs.stateOf(1).detail;
    expect(detail?.epochs.map((e) => [e.epoch, e.trainLoss])).toEqual([
      [0, 0.7],
      [1, 0.6],
    ]);
    expect(detail?.progress).toBe(0.3);
    expect(runs.stateOf(1).samples.map((s) => s.progress)).toEqual([0.3]);
    expect(shows()).toBe(1);
  });

  it('an epoch point seen again replaces the old one (a resumed run repeats its epoch)', async () => {
    const runs = useRunsStore();
    await runs.load(1);

    transport.emitEvent('runs/progress', { runId: 1, phase: 'search', progress: 0.2, epoch: epochPoint({ epoch: 0, trainLoss: 0.5 }) });

    expect(runs.stateOf(1).detail?.epochs.map((e) => e.trainLoss)).toEqual([0.5]);
  });

  it('asks runs/show again at a new phase, and keeps live points the answer does not have yet', async () => {
    const runs = useRunsStore();
    await runs.load(1);
    served = runDetail({ id: 1, phase: 'select', architecture: [{ layer: 0, kernel: 5, dilation: 2 }], epochs: [epochPoint(), epochPoint({ epoch: 1 })] });

    transport.emitEvent('runs/progress', { runId: 1, phase: 'select', progress: 0.5, epoch: null });
    transport.emitEvent('runs/progress', { runId: 1, phase: 'hp-search', progress: 0.52, epoch: epochPoint({ phase: 'hp-search', trial: 0, epoch: 0 }) });
    await flushPromises();

    const detail = runs.stateOf(1).detail;
    expect(shows()).toBeGreaterThanOrEqual(2);
    expect(detail?.architecture).toEqual([{ layer: 0, kernel: 5, dilation: 2 }]);
    expect(detail?.epochs.map((e) => `${e.phase}/${e.epoch}`)).toEqual(['search/0', 'search/1', 'hp-search/0']);
    expect(detail?.progress).toBe(0.52);
  });

  it('a gap in the epochs (the throttled stream skipped one) is filled by asking again', async () => {
    const runs = useRunsStore();
    await runs.load(1);
    served = runDetail({ id: 1, epochs: [epochPoint(), epochPoint({ epoch: 1 }), epochPoint({ epoch: 2 })] });

    transport.emitEvent('runs/progress', { runId: 1, phase: 'search', progress: 0.3, epoch: epochPoint({ epoch: 2 }) });
    await flushPromises();

    expect(shows()).toBe(2);
    expect(runs.stateOf(1).detail?.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
  });

  it('a new HP trial brings the finished one from the lab (there is no trial event)', async () => {
    served = runDetail({ id: 1, phase: 'hp-search', epochs: [epochPoint({ phase: 'hp-search', trial: 0 })] });
    const runs = useRunsStore();
    await runs.load(1);
    served = runDetail({
      id: 1,
      phase: 'hp-search',
      epochs: [epochPoint({ phase: 'hp-search', trial: 0 })],
      hpTrials: [{ trial: 0, hp: { lr: 0.1, dropout: 0, weightDecay: 5e-4, momentum: 0.9 }, validation: 12, diverged: false, wallMs: 800 }],
    });

    transport.emitEvent('runs/progress', { runId: 1, phase: 'hp-search', progress: 0.6, epoch: epochPoint({ phase: 'hp-search', trial: 1, epoch: 0 }) });
    await flushPromises();

    expect(runs.stateOf(1).detail?.hpTrials.map((t) => t.trial)).toEqual([0]);
    expect(runs.stateOf(1).detail?.epochs.map((e) => e.trial)).toEqual([0, 1]);
  });

  it('runs/alpha appends a snapshot (and replaces one with the same round and epoch)', async () => {
    const runs = useRunsStore();
    await runs.load(1);

    transport.emitEvent('runs/alpha', { runId: 1, round: 0, epoch: 1, layers: alphaLayers([[0.1, 0.2, 0.3, 0.4]]) });
    transport.emitEvent('runs/alpha', { runId: 1, round: 0, epoch: 1, layers: alphaLayers([[0.4, 0.3, 0.2, 0.1]]) });

    const alpha = runs.stateOf(1).detail?.alpha ?? [];
    expect(alpha.map((a) => a.epoch)).toEqual([0, 1]);
    expect(alpha[1]?.layers[0]?.softmax).toEqual([0.4, 0.3, 0.2, 0.1]);
    expect(shows()).toBe(1);
  });

  it('runs/round adds a round in round order and replaces one with the same number, without asking again', async () => {
    const runs = useRunsStore();
    await runs.load(1);

    transport.emitEvent('runs/round', { runId: 1, ...searchRound(2, 2, 1, [[5, 2], [3, 1]]) });
    transport.emitEvent('runs/round', { runId: 1, ...searchRound(1, 2, 2, [[3, 1], [5, 2], [3, 2], [5, 1]]) });
    transport.emitEvent('runs/round', { runId: 1, ...searchRound(2, 2, 1, [[3, 1], [5, 2]]) });

    const rounds = runs.stateOf(1).detail?.rounds ?? [];
    expect(rounds.map((r) => [r.round, r.rounds, r.layers[0]?.kept])).toEqual([
      [1, 2, [{ kernel: 3, dilation: 1 }, { kernel: 5, dilation: 2 }]],
      [2, 2, [{ kernel: 3, dilation: 1 }]],
    ]);
    expect(shows()).toBe(1);
  });

  it('rounds of other runs are ignored', async () => {
    const runs = useRunsStore();
    await runs.load(1);

    transport.emitEvent('runs/round', { runId: 2, ...searchRound(1, 2, 2, [[3, 1], [5, 2], [3, 2], [5, 1]]) });

    expect(runs.stateOf(1).detail?.rounds).toEqual([]);
    expect(runs.stateOf(2).detail).toBeNull();
  });

  it('an answer from before a round keeps the round that arrived live; the lab’s copy wins once it has it', async () => {
    const answer = deferred<RunDetail>();
    const runs = useRunsStore();
    await runs.load(1);
    transport.answer('runs/show', () => answer.promise);

    const refreshing = runs.refresh(1);
    transport.emitEvent('runs/round', { runId: 1, ...searchRound(1, 2, 2, [[3, 1], [5, 2], [3, 2], [5, 1]]) });
    answer.resolve(runDetail({ id: 1, rounds: [] }));
    await refreshing;
    expect(runs.stateOf(1).detail?.rounds.map((r) => r.round)).toEqual([1]);

    const logged = searchRound(1, 2, 2, [[5, 2], [3, 1], [3, 2], [5, 1]]);
    transport.answer('runs/show', () => runDetail({ id: 1, rounds: [logged] }));
    await runs.refresh(1);
    expect(runs.stateOf(1).detail?.rounds).toEqual([logged]);
  });

  it('a new random-baseline candidate brings the finished one from the lab (there is no candidate event)', async () => {
    served = runDetail({ id: 1, method: 'random', epochs: [epochPoint({ trial: 0 })] });
    const runs = useRunsStore();
    await runs.load(1);
    const candidate = { candidate: 0, layers: [{ kernel: 3, dilation: 1 }], validation: 40, diverged: false, flops: 2e8, wallMs: 900 };
    served = runDetail({ id: 1, method: 'random', epochs: [epochPoint({ trial: 0 })], randomCandidates: [candidate] });

    transport.emitEvent('runs/progress', { runId: 1, phase: 'search', progress: 0.2, epoch: epochPoint({ trial: 1, epoch: 0 }) });
    await flushPromises();

    expect(shows()).toBe(2);
    expect(runs.stateOf(1).detail?.randomCandidates).toEqual([candidate]);
    expect(runs.stateOf(1).detail?.epochs.map((e) => e.trial)).toEqual([0, 1]);
  });

  it('runs/checkpoint moves the checkpoint', async () => {
    const runs = useRunsStore();
    await runs.load(1);

    transport.emitEvent('runs/checkpoint', { runId: 1, phase: 'search', round: null, trial: null, epoch: 2, bytes: 1024 });

    expect(runs.stateOf(1).detail?.checkpoint).toEqual({ phase: 'search', epoch: 2 });
  });

  it('runs/status changes the status at once and then asks for the rest (metric, times)', async () => {
    const runs = useRunsStore();
    await runs.load(1);
    served = runDetail({ id: 1, status: 'done', progress: 1, phase: 'test', metric: { name: 'error', direction: 'minimize', value: 3.1 } });

    transport.emitEvent('runs/status', { runId: 1, experimentId: 1, status: 'done', error: null });
    expect(runs.stateOf(1).detail?.status).toBe('done');
    await flushPromises();

    expect(runs.stateOf(1).detail?.metric?.value).toBe(3.1);
  });

  it('events of runs nobody watches are ignored', async () => {
    const runs = useRunsStore();
    await runs.load(1);

    transport.emitEvent('runs/status', { runId: 2, experimentId: 1, status: 'running', error: null });
    transport.emitEvent('runs/progress', { runId: 2, phase: 'search', progress: 0.1, epoch: null });

    expect(Object.keys(runs.runs)).toEqual(['1']);
    expect(shows()).toBe(1);
  });

  it('release() stops following a run', async () => {
    const runs = useRunsStore();
    await runs.load(1);

    runs.release(1);
    transport.emitEvent('runs/progress', { runId: 1, phase: 'search', progress: 0.9, epoch: null });

    expect(runs.runs[1]).toBeUndefined();
  });

  it('pause() marks the action pending, then waits for the worker to stop (runs/status)', async () => {
    const answer = deferred<unknown>();
    transport.answer('runs/pause', () => answer.promise);
    const runs = useRunsStore();
    await runs.load(1);

    const pausing = runs.pause(1);
    expect(runs.stateOf(1).pending).toBe('pause');
    answer.resolve(runSummary({ id: 1, status: 'running', phase: 'search', progress: 0.1 }));
    await pausing;
    expect(runs.stateOf(1).pending).toBeNull();
    expect(runs.stateOf(1).stopping).toBe('pause');
    expect(transport.sent.at(-1)).toEqual({ channel: 'runs/pause', request: { run: 1 } });

    served = runDetail({ id: 1, status: 'paused' });
    transport.emitEvent('runs/status', { runId: 1, experimentId: 1, status: 'paused', error: null });
    expect(runs.stateOf(1).stopping).toBeNull();
    expect(runs.stateOf(1).detail?.status).toBe('paused');
  });

  it('a refused action rolls the pending mark back and throws the LabError', async () => {
    transport.answer('runs/resume', () => {
      throw new LabError('conflict', 'Run 1 is running, not paused.', 'Wait for it to stop.');
    });
    const runs = useRunsStore();
    await runs.load(1);

    await expect(runs.resume(1)).rejects.toMatchObject({ code: 'conflict', hint: 'Wait for it to stop.' });

    expect(runs.stateOf(1).pending).toBeNull();
    expect(runs.stateOf(1).detail?.status).toBe('running');
  });

  it('cancel() of a queued run takes the answer as it is', async () => {
    served = runDetail({ id: 1, status: 'queued', phase: null, progress: 0 });
    transport.answer('runs/cancel', () => runSummary({ id: 1, status: 'cancelled' }));
    const runs = useRunsStore();
    await runs.load(1);

    await runs.cancel(1);

    expect(runs.stateOf(1).detail?.status).toBe('cancelled');
    expect(runs.stateOf(1).stopping).toBeNull();
  });

  it('keeps only the last five minutes of progress readings, with this window’s clock', async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    const runs = useRunsStore();
    await runs.load(1);

    transport.emitEvent('runs/progress', { runId: 1, phase: 'search', progress: 0.1, epoch: null });
    vi.setSystemTime(1_000_000 + 6 * 60_000);
    transport.emitEvent('runs/progress', { runId: 1, phase: 'search', progress: 0.4, epoch: null });

    expect(runs.stateOf(1).samples).toEqual([{ at: 1_000_000 + 6 * 60_000, progress: 0.4 }]);
  });

  it('reset() forgets every run; an answer in flight does not land', async () => {
    const late = deferred<unknown>();
    transport.answer('runs/show', () => late.promise);
    const runs = useRunsStore();
    const loading = runs.load(1);

    runs.reset();
    late.resolve(served);
    await loading;

    expect(runs.runs).toEqual({});
  });
});
