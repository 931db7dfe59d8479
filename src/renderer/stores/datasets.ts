import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { DatasetDetail, DatasetSummary, PayloadOf, RequestOf } from '../../shared/contract/index.ts';
import { LabError } from '../../shared/errors.ts';
import { useLabClient } from '../composables/use-lab-client.ts';
import { usePagedList } from '../composables/use-paged-list.ts';

export type ImportProgress = PayloadOf<'datasets/import-progress'>;
export type ImportFilesRequest = RequestOf<'datasets/import'>;
export type GenerateDatasetRequest = RequestOf<'datasets/generate'>;

export const DATASETS_PAGE_SIZE = 20;
/** Samples per split that the detail panel plots. */
export const PREVIEW_SAMPLES_PER_SPLIT = 2;

/**
 * The lab's datasets: one page of the list, the dataset open in the detail panel, and the progress of imports
 * this window started (from `datasets/import-progress`). Everything comes through the LabClient.
 */
export const useDatasetsStore = defineStore('datasets', () => {
  const client = useLabClient();

  const list = usePagedList<DatasetSummary>({
    pageSize: DATASETS_PAGE_SIZE,
    fetchPage: (offset, limit) => client.invoke('datasets/list', { offset, limit }),
    onPage: (page) => remember(page.items),
    // The last dataset of the last page removed elsewhere: show the last real page.
    backOffPastEnd: true,
  });
  const { items, total, offset, loaded, loading, error, load } = list;

  const detail = shallowRef<DatasetDetail | null>(null);
  const detailId = ref<number | null>(null);
  const detailLoading = ref(false);
  const detailError = shallowRef<LabError | null>(null);

  /** Latest progress of each import in flight, by the dataset name it will have. */
  const importProgress = ref<Record<string, ImportProgress>>({});
  /** Datasets known by id from any answer (list pages, imports, lookups), for views that show a name or metric. */
  const known = ref<Record<number, DatasetSummary>>({});

  // A reset while a request is in flight makes its answer stale (list.currentGeneration); so does a later show().
  let detailRequest = 0;

  client.on('datasets/import-progress', (progress) => {
    importProgress.value = { ...importProgress.value, [progress.name]: progress };
  });

  function remember(summaries: readonly DatasetSummary[]): void {
    const next = { ...known.value };
    for (const summary of summaries) next[summary.id] = summary;
    known.value = next;
  }

  /** Opens a dataset in the detail panel (`datasets/show` with a few samples to plot). */
  async function show(id: number): Promise<void> {
    const current = list.currentGeneration();
    const request = ++detailRequest;
    const latest = (): boolean => current() && request === detailRequest;
    detailId.value = id;
    if (detail.value?.id !== id) detail.value = null;
    detailLoading.value = true;
    detailError.value = null;
    try {
      const answer = await client.invoke('datasets/show', { dataset: id, samplesPerSplit: PREVIEW_SAMPLES_PER_SPLIT });
      if (!latest()) return;
      detail.value = answer;
      remember([answer]);
    } catch (failure) {
      if (latest()) detailError.value = LabError.wrap(failure);
    } finally {
      if (latest()) detailLoading.value = false;
    }
  }

  function closeDetail(): void {
    detailRequest += 1;
    detailId.value = null;
    detail.value = null;
    detailLoading.value = false;
    detailError.value = null;
  }

  /** A dataset's summary by id, asking the lab only when no answer so far carried it. */
  async function summaryOf(id: number): Promise<DatasetSummary> {
    const cached = known.value[id];
    if (cached !== undefined) return cached;
    const answer = await client.invoke('datasets/show', { dataset: id, samplesPerSplit: 0 });
    const { classCounts: _counts, normalization: _normalization, folder: _folder, samples: _samples, ...summary } = answer;
    remember([summary]);
    return summary;
  }

  /** Every dataset (up to the contract's page limit of 500), for choosers such as the new-experiment form. */
  async function loadChoices(): Promise<DatasetSummary[]> {
    const page = await client.invoke('datasets/list', { offset: 0, limit: 500 });
    remember(page.items);
    return page.items;
  }

  function added(summary: DatasetSummary): void {
    remember([summary]);
    // The list is newest first: a new dataset belongs at the top of the first page.
    if (offset.value === 0 && loaded.value) {
      items.value = [summary, ...items.value.filter((item) => item.id !== summary.id)].slice(0, DATASETS_PAGE_SIZE);
    }
    total.value += 1;
  }

  async function withProgress(name: string, run: () => Promise<DatasetSummary>): Promise<DatasetSummary> {
    try {
      const summary = await run();
      added(summary);
      return summary;
    } finally {
      const { [name]: _done, ...rest } = importProgress.value;
      importProgress.value = rest;
    }
  }

  /** Imports x/y arrays from files on the lab's machine; throws the LabError the core answers. */
  function importFiles(request: ImportFilesRequest): Promise<DatasetSummary> {
    return withProgress(request.name, async () => {
      try {
        return await client.invoke('datasets/import', request);
      } catch (failure) {
        throw LabError.wrap(failure);
      }
    });
  }

  /** Generates a built-in task; the dataset is named as the core names it when no name is given. */
  function generate(request: GenerateDatasetRequest): Promise<DatasetSummary> {
    const name = request.name ?? `${request.task}-${request.size ?? 'small'}-seed${request.seed ?? 0}`;
    return withProgress(name, async () => {
      try {
        return await client.invoke('datasets/generate', request);
      } catch (failure) {
        throw LabError.wrap(failure);
      }
    });
  }

  /**
   * Removes a dataset and its files. The list drops it at once; if the core refuses (a run uses it, say), it is
   * put back where it was and the LabError is thrown for the view to show.
   */
  async function remove(id: number): Promise<void> {
    const index = items.value.findIndex((item) => item.id === id);
    const removedItem = index >= 0 ? items.value[index] : undefined;
    const previousTotal = total.value;
    const previousDetail = detailId.value === id ? { detail: detail.value, id } : null;
    if (index >= 0) items.value = items.value.filter((item) => item.id !== id);
    total.value = Math.max(0, total.value - 1);
    if (previousDetail !== null) closeDetail();
    try {
      await client.invoke('datasets/remove', { dataset: id });
      const { [id]: _gone, ...rest } = known.value;
      known.value = rest;
    } catch (failure) {
      if (removedItem !== undefined && !items.value.some((item) => item.id === id)) {
        const restored = [...items.value];
        restored.splice(Math.min(index, restored.length), 0, removedItem);
        items.value = restored;
      }
      total.value = previousTotal;
      if (previousDetail !== null && detailId.value === null) {
        detailId.value = previousDetail.id;
        detail.value = previousDetail.detail;
      }
      throw LabError.wrap(failure);
    }
    // Refill the page from the lab (the next dataset moves up into it), unless the page is now past the end.
    if (loaded.value) void load(offset.value);
  }

  function reset(): void {
    list.reset();
    closeDetail();
    importProgress.value = {};
    known.value = {};
  }

  return {
    items,
    total,
    offset,
    loaded,
    loading,
    error,
    detail,
    detailId,
    detailLoading,
    detailError,
    importProgress,
    known,
    load,
    show,
    closeDetail,
    summaryOf,
    loadChoices,
    importFiles,
    generate,
    remove,
    reset,
  };
});
