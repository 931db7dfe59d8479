import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { PayloadOf, RunDetail, RunSummary } from '../../shared/contract/index.ts';
import { LabError } from '../../shared/errors.ts';
import { useLabClient } from '../composables/use-lab-client.ts';

export type RunAction = 'cancel' | 'pause' | 'resume';
export type EpochPoint = RunDetail['epochs'][number];
export type AlphaSnapshot = RunDetail['alpha'][number];
export type SearchRound = RunDetail['rounds'][number];

/** A progress reading with this window's clock, for the time-remaining estimate. */
export interface ProgressSample {
  at: number;
  progress: number;
}

export interface RunState {
  detail: RunDetail | null;
  loading: boolean;
  error: LabError | null;
  /** An action whose request is on its way. */
  pending: RunAction | null;
  /** A pause or cancel the lab accepted for a running run; it ends when the worker stops (runs/status). */
  stopping: 'pause' | 'cancel' | null;
  /** Progress readings as they arrived here (newest last, the last few minutes). */
  samples: ProgressSample[];
}

const SAMPLE_WINDOW_MS = 5 * 60_000;

const emptyState = (): RunState => ({ detail: null, loading: false, error: null, pending: null, stopping: null, samples: [] });

export function epochKey(point: Pick<EpochPoint, 'phase' | 'round' | 'trial' | 'epoch'>): string {
  return `${point.phase}/${point.round}/${point.trial}/${point.epoch}`;
}

export function alphaKey(snapshot: Pick<AlphaSnapshot, 'round' | 'epoch'>): string {
  return `${snapshot.round}/${snapshot.epoch}`;
}

const roundKey = (round: Pick<SearchRound, 'round'>): string => String(round.round);
const byRound = (a: SearchRound, b: SearchRound): number => a.round - b.round;

/** `fresh` from the lab, plus what arrived live and is not in it yet (the lab answered before it happened). */
function mergeByKey<T>(fresh: readonly T[], live: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set(fresh.map(key));
  return [...fresh, ...live.filter((item) => !seen.has(key(item)))];
}

/**
 * The runs this window is watching (the live monitor): each run's detail from `runs/show`, kept current by
 * `runs/status`, `runs/progress` (epoch points), `runs/alpha`, `runs/round` (P-DASH's pruning, DASH's selection)
 * and `runs/checkpoint` without asking again. It asks again only for what no event carries: at a new phase, HP
 * trial or random-baseline candidate (the architecture, finished trials and candidates), when a throttled
 * progress stream skipped an epoch, and when the run's status changes.
 */
export const useRunsStore = defineStore('runs', () => {
  const client = useLabClient();

  const runs = shallowRef<Record<number, RunState>>({});
  let generation = 0;
  const refreshing = new Map<number, { again: boolean }>();

  function stateOf(id: number): RunState {
    return runs.value[id] ?? emptyState();
  }

  function update(id: number, change: (state: RunState) => RunState): void {
    runs.value = { ...runs.value, [id]: change(stateOf(id)) };
  }

  function updateDetail(id: number, change: (detail: RunDetail) => RunDetail): void {
    const state = runs.value[id];
    if (state?.detail == null) return;
    update(id, (s) => ({ ...s, detail: change(s.detail as RunDetail) }));
  }

  async function fetchDetail(id: number): Promise<void> {
    const mine = generation;
    const answer = await client.invoke('runs/show', { run: id });
    if (mine !== generation || runs.value[id] === undefined) return;
    update(id, (state) => {
      const live = state.detail;
      const detail: RunDetail =
        live === null
          ? answer
          : {
              ...answer,
              progress: Math.max(answer.progress, answer.status === live.status ? live.progress : answer.progress),
              epochs: mergeByKey(answer.epochs, live.epochs, epochKey),
              alpha: mergeByKey(answer.alpha, live.alpha, alphaKey),
              rounds: mergeByKey(answer.rounds, live.rounds, roundKey).sort(byRound),
            };
      return { ...state, detail, error: null, stopping: detail.status === 'running' ? state.stopping : null };
    });
  }

  /** Starts watching a run (or loads it again): `runs/show`, then events keep it current. */
  async function load(id: number): Promise<void> {
    const mine = generation;
    update(id, (state) => ({ ...state, loading: true, error: null }));
    try {
      await fetchDetail(id);
    } catch (failure) {
      if (mine === generation) update(id, (state) => ({ ...state, error: LabError.wrap(failure) }));
    } finally {
      if (mine === generation && runs.value[id] !== undefined) update(id, (state) => ({ ...state, loading: false }));
    }
  }

  /** Asks for a watched run again; calls while one is in flight coalesce into one more. */
  async function refresh(id: number): Promise<void> {
    const inFlight = refreshing.get(id);
    if (inFlight !== undefined) {
      inFlight.again = true;
      return;
    }
    const mark = { again: false };
    refreshing.set(id, mark);
    const mine = generation;
    try {
      do {
        mark.again = false;
        await fetchDetail(id);
      } while (mark.again && mine === generation);
    } catch (failure) {
      if (mine === generation && runs.value[id] !== undefined) update(id, (state) => ({ ...state, error: LabError.wrap(failure) }));
    } finally {
      if (refreshing.get(id) === mark) refreshing.delete(id);
    }
  }

  /** Stops following a run (the monitor closed); its events are ignored from then on. */
  function release(id: number): void {
    const { [id]: _released, ...rest } = runs.value;
    runs.value = rest;
    refreshing.delete(id);
  }

  function onStatus(event: PayloadOf<'runs/status'>): void {
    const state = runs.value[event.runId];
    if (state?.detail == null) return;
    update(event.runId, (s) => ({
      ...s,
      stopping: event.status === 'running' ? s.stopping : null,
      detail: { ...(s.detail as RunDetail), status: event.status, error: event.error },
    }));
    void refresh(event.runId);
  }

  function onProgress(event: PayloadOf<'runs/progress'>): void {
    const state = runs.value[event.runId];
    const detail = state?.detail;
    if (state === undefined || detail == null) return;
    let needsRefresh = event.phase !== detail.phase;
    let epochs = detail.epochs;
    const point = event.epoch;
    if (point !== null) {
      const key = epochKey(point);
      const index = epochs.findIndex((known) => epochKey(known) === key);
      if (index >= 0) {
        epochs = epochs.with(index, point);
      } else {
        const sameLoop = epochs.filter((known) => known.phase === point.phase && known.round === point.round && known.trial === point.trial);
        const previous = sameLoop.reduce((last, known) => Math.max(last, known.epoch), -1);
        // A gap means the throttled stream skipped an epoch; a new HP trial (or random-baseline candidate, a
        // search "trial") means the previous one finished.
        if (point.epoch > previous + 1) needsRefresh = true;
        if ((point.phase === 'hp-search' || point.phase === 'search') && sameLoop.length === 0 && point.trial > 0) needsRefresh = true;
        epochs = [...epochs, point];
      }
    }
    const at = Date.now();
    const samples = [...state.samples.filter((sample) => at - sample.at <= SAMPLE_WINDOW_MS), { at, progress: event.progress }];
    update(event.runId, (s) => ({
      ...s,
      samples,
      detail: { ...(s.detail as RunDetail), phase: event.phase, progress: Math.max((s.detail as RunDetail).progress, event.progress), epochs },
    }));
    if (needsRefresh) void refresh(event.runId);
  }

  function onAlpha(event: PayloadOf<'runs/alpha'>): void {
    updateDetail(event.runId, (detail) => {
      const snapshot: AlphaSnapshot = { round: event.round, epoch: event.epoch, layers: event.layers };
      const key = alphaKey(snapshot);
      const index = detail.alpha.findIndex((known) => alphaKey(known) === key);
      return { ...detail, alpha: index >= 0 ? detail.alpha.with(index, snapshot) : [...detail.alpha, snapshot] };
    });
  }

  function onRound(event: PayloadOf<'runs/round'>): void {
    updateDetail(event.runId, (detail) => {
      const round: SearchRound = { round: event.round, rounds: event.rounds, selection: event.selection, layers: event.layers };
      const others = detail.rounds.filter((known) => known.round !== round.round);
      return { ...detail, rounds: [...others, round].sort(byRound) };
    });
  }

  function onCheckpoint(event: PayloadOf<'runs/checkpoint'>): void {
    updateDetail(event.runId, (detail) => ({ ...detail, checkpoint: { phase: event.phase, epoch: event.epoch } }));
  }

  client.on('runs/status', onStatus);
  client.on('runs/progress', onProgress);
  client.on('runs/alpha', onAlpha);
  client.on('runs/round', onRound);
  client.on('runs/checkpoint', onCheckpoint);

  /**
   * Cancel, pause or resume. While the request is on its way the run shows it as pending; if the lab refuses,
   * the pending mark is rolled back and the LabError thrown for the view to show.
   */
  async function act(id: number, action: RunAction): Promise<RunSummary> {
    const mine = generation;
    update(id, (state) => ({ ...state, pending: action }));
    let summary: RunSummary;
    try {
      summary = await client.invoke(`runs/${action}`, { run: id });
    } catch (failure) {
      if (mine === generation && runs.value[id] !== undefined) update(id, (state) => ({ ...state, pending: null }));
      throw LabError.wrap(failure);
    }
    if (mine === generation && runs.value[id] !== undefined) {
      update(id, (state) => ({
        ...state,
        pending: null,
        stopping: action !== 'resume' && summary.status === 'running' ? action : null,
        detail: state.detail === null ? null : { ...state.detail, ...summary },
      }));
    }
    return summary;
  }

  function reset(): void {
    generation += 1;
    refreshing.clear();
    runs.value = {};
  }

  return {
    runs,
    stateOf,
    load,
    refresh,
    release,
    cancel: (id: number) => act(id, 'cancel'),
    pause: (id: number) => act(id, 'pause'),
    resume: (id: number) => act(id, 'resume'),
    reset,
  };
});
