import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ArchitectureFormat, Comparison, ExperimentSummary, ExportedFile, ReportFormat, RunDetail } from '../../shared/contract/index.ts';
import { LabError } from '../../shared/errors.ts';
import { useLabClient } from '../composables/use-lab-client.ts';

/** What is compared: one experiment's runs, or any saved runs (across experiments). */
export type CompareSelection = { experiment: number } | { runs: number[] };

/** Run details are fetched a few at a time: a comparison of many runs must not flood the transport. */
const DETAIL_CONCURRENCY = 4;

export function sameSelection(a: CompareSelection | null, b: CompareSelection | null): boolean {
  if (a === null || b === null) return a === b;
  if ('experiment' in a) return 'experiment' in b && a.experiment === b.experiment;
  return 'runs' in b && a.runs.length === b.runs.length && a.runs.every((id, i) => id === b.runs[i]);
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * The Compare view's data: the experiments to choose from, the current selection, its comparison (`compare`)
 * and the details of its runs (`runs/show`), kept current while runs of the selection change state; and the
 * exports of what is shown.
 */
export const useCompareStore = defineStore('compare', () => {
  const client = useLabClient();

  const experiments = shallowRef<ExperimentSummary[]>([]);
  const experimentsTotal = ref(0);
  const experimentsLoading = ref(false);
  const experimentsError = shallowRef<LabError | null>(null);

  const selection = shallowRef<CompareSelection | null>(null);
  const comparison = shallowRef<Comparison | null>(null);
  const runs = shallowRef<RunDetail[]>([]);
  const loading = ref(false);
  const error = shallowRef<LabError | null>(null);

  // A newer selection (or a reset) makes older answers stale: they must not land.
  let generation = 0;
  let stopWatchingRuns: (() => void) | null = null;

  const runsById = computed(() => new Map(runs.value.map((r) => [r.id, r])));
  const finishedRuns = computed(() => runs.value.filter((r) => r.status === 'done'));

  async function loadExperiments(): Promise<void> {
    experimentsLoading.value = true;
    experimentsError.value = null;
    try {
      const page = await client.invoke('experiments/list', { offset: 0, limit: 500 });
      experiments.value = page.items;
      experimentsTotal.value = page.total;
    } catch (failure) {
      experimentsError.value = LabError.wrap(failure);
    } finally {
      experimentsLoading.value = false;
    }
  }

  async function fetch(which: CompareSelection, mine: number): Promise<void> {
    const answer = await client.invoke('compare', 'experiment' in which ? { experiment: which.experiment } : { runs: which.runs });
    const details = await mapLimited(answer.runIds, DETAIL_CONCURRENCY, (run) => client.invoke('runs/show', { run }));
    if (mine !== generation) return;
    comparison.value = answer;
    runs.value = details;
  }

  /** Compares a selection; the answer of an older call that arrives later is dropped. */
  async function select(which: CompareSelection): Promise<void> {
    const mine = ++generation;
    selection.value = which;
    comparison.value = null;
    runs.value = [];
    error.value = null;
    loading.value = true;
    watchRuns();
    try {
      await fetch(which, mine);
    } catch (failure) {
      if (mine === generation) error.value = LabError.wrap(failure);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  /** Asks again for the current selection, keeping what is shown until the new answer is in. */
  async function refresh(): Promise<void> {
    const which = selection.value;
    if (which === null) return;
    const mine = ++generation;
    try {
      await fetch(which, mine);
      if (mine === generation) error.value = null;
    } catch (failure) {
      if (mine === generation) error.value = LabError.wrap(failure);
    }
  }

  /** A run of the selection that finishes, fails or stops changes the comparison: it is fetched again. */
  function watchRuns(): void {
    stopWatchingRuns?.();
    stopWatchingRuns = client.on('runs/status', (payload) => {
      const which = selection.value;
      if (which === null || payload.status === 'queued' || payload.status === 'running') return;
      const concerned = 'experiment' in which ? payload.experimentId === which.experiment : which.runs.includes(payload.runId);
      if (concerned) void refresh();
    });
  }

  function reset(): void {
    generation += 1;
    stopWatchingRuns?.();
    stopWatchingRuns = null;
    selection.value = null;
    comparison.value = null;
    runs.value = [];
    loading.value = false;
    error.value = null;
  }

  /** The report or a table of the current selection (the caller saves or prints it). */
  async function exportReport(format: ReportFormat): Promise<ExportedFile> {
    const which = selection.value;
    if (which === null) throw new LabError('bad-request', 'Choose an experiment or runs to compare first.');
    return client.invoke('export/report', { ...which, format });
  }

  async function exportArchitecture(run: number, format: ArchitectureFormat): Promise<ExportedFile[]> {
    return (await client.invoke('export/architecture', { run, format })).files;
  }

  return {
    experiments,
    experimentsTotal,
    experimentsLoading,
    experimentsError,
    selection,
    comparison,
    runs,
    runsById,
    finishedRuns,
    loading,
    error,
    loadExperiments,
    select,
    refresh,
    reset,
    exportReport,
    exportArchitecture,
  };
});
