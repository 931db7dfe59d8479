import { defineStore } from 'pinia';
import type { ExperimentRequest, ExperimentSummary, PayloadOf, RunStatus, RunSummary } from '../../shared/contract/index.ts';
import { LabError } from '../../shared/errors.ts';
import { useLabClient } from '../composables/use-lab-client.ts';
import { usePagedList } from '../composables/use-paged-list.ts';

export const EXPERIMENTS_PAGE_SIZE = 10;

/** A run in one of these states will not change until someone resumes it. */
export const SETTLED_STATUSES: readonly RunStatus[] = ['paused', 'interrupted', 'cancelled', 'failed', 'done'];

export type StatusCounts = Partial<Record<RunStatus, number>>;

export function statusCounts(runs: readonly RunSummary[]): StatusCounts {
  const counts: StatusCounts = {};
  for (const run of runs) counts[run.status] = (counts[run.status] ?? 0) + 1;
  return counts;
}

/**
 * Experiments, a page at a time, each with its runs. Run states follow `runs/status` and `runs/progress` as
 * they arrive; when a run settles, its experiment is asked for again (`experiments/show`) for what events do
 * not carry (metric, architecture, seconds per phase).
 */
export const useExperimentsStore = defineStore('experiments', () => {
  const client = useLabClient();

  const list = usePagedList<ExperimentSummary>({
    pageSize: EXPERIMENTS_PAGE_SIZE,
    fetchPage: (offset, limit) => client.invoke('experiments/list', { offset, limit }),
  });
  const { items, total, offset, loaded, loading, error, load } = list;

  const refreshing = new Map<number, { again: boolean }>();

  function replaceExperiment(next: ExperimentSummary): void {
    const index = items.value.findIndex((item) => item.id === next.id);
    if (index >= 0) {
      const copy = [...items.value];
      copy[index] = next;
      items.value = copy;
    } else if (offset.value === 0 && loaded.value) {
      // Newest first: an experiment the list has not seen (created here or by another front door) goes on top.
      const isNew = items.value.every((item) => item.id < next.id);
      if (isNew) {
        items.value = [next, ...items.value].slice(0, EXPERIMENTS_PAGE_SIZE);
        total.value += 1;
      }
    }
  }

  function updateRun(runId: number, change: (run: RunSummary) => RunSummary): boolean {
    for (const [index, experiment] of items.value.entries()) {
      const runIndex = experiment.runs.findIndex((run) => run.id === runId);
      if (runIndex < 0) continue;
      const runs = [...experiment.runs];
      runs[runIndex] = change(runs[runIndex]!);
      const copy = [...items.value];
      copy[index] = { ...experiment, runs };
      items.value = copy;
      return true;
    }
    return false;
  }

  /** Asks for one experiment again; calls made while one is in flight coalesce into one more. */
  async function refresh(experimentId: number): Promise<void> {
    const inFlight = refreshing.get(experimentId);
    if (inFlight !== undefined) {
      inFlight.again = true;
      return;
    }
    const state = { again: false };
    refreshing.set(experimentId, state);
    const current = list.currentGeneration();
    try {
      do {
        state.again = false;
        const answer = await client.invoke('experiments/show', { experiment: experimentId });
        if (!current()) return;
        replaceExperiment(answer);
      } while (state.again);
    } catch (failure) {
      // The list keeps what it had; the failure is the list's to show.
      if (current()) error.value = LabError.wrap(failure);
    } finally {
      if (refreshing.get(experimentId) === state) refreshing.delete(experimentId);
    }
  }

  function onStatus(event: PayloadOf<'runs/status'>): void {
    const known = updateRun(event.runId, (run) => ({ ...run, status: event.status, error: event.error }));
    const mayBeNew = !known && offset.value === 0 && loaded.value;
    if (SETTLED_STATUSES.includes(event.status) || mayBeNew) void refresh(event.experimentId);
  }

  function onProgress(event: PayloadOf<'runs/progress'>): void {
    updateRun(event.runId, (run) => ({ ...run, phase: event.phase, progress: Math.max(run.progress, event.progress) }));
  }

  client.on('runs/status', onStatus);
  client.on('runs/progress', onProgress);

  /** Creates an experiment and queues its runs; throws the core's LabError (an unavailable method, say). */
  async function create(request: ExperimentRequest): Promise<ExperimentSummary> {
    let created: ExperimentSummary;
    try {
      created = await client.invoke('experiments/create', request);
    } catch (failure) {
      throw LabError.wrap(failure);
    }
    if (loaded.value && offset.value === 0) replaceExperiment(created);
    else total.value += 1;
    return created;
  }

  /** One experiment, from the list when it is there, else from the lab. */
  async function experiment(id: number): Promise<ExperimentSummary> {
    const listed = items.value.find((item) => item.id === id);
    if (listed !== undefined) return listed;
    try {
      return await client.invoke('experiments/show', { experiment: id });
    } catch (failure) {
      throw LabError.wrap(failure);
    }
  }

  function reset(): void {
    list.reset();
    refreshing.clear();
  }

  return { items, total, offset, loaded, loading, error, load, refresh, create, experiment, reset };
});
