import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { LabError } from '../../shared/errors.ts';

/** One page as the lab's list channels (`datasets/list`, `experiments/list`) answer it. */
export interface Page<Item> {
  items: Item[];
  total: number;
}

export interface PagedListOptions<Item> {
  pageSize: number;
  /** Asks the lab for the page at `offset` (e.g. `datasets/list`). */
  fetchPage(offset: number, limit: number): Promise<Page<Item>>;
  /** Called with each page that lands, before the list shows it. */
  onPage?(page: Page<Item>): void;
  /**
   * A page past the end (its last items were removed elsewhere) shows the last real page instead; without it,
   * the empty page is shown as the lab answered it.
   */
  backOffPastEnd?: boolean;
}

export interface PagedList<Item> {
  items: Ref<Item[]>;
  total: Ref<number>;
  offset: Ref<number>;
  /** Whether a page has landed since the last reset. */
  loaded: Ref<boolean>;
  loading: Ref<boolean>;
  error: ShallowRef<LabError | null>;
  /** Loads the page at `offset` (default: the one shown); only the latest call's answer lands. */
  load(offset?: number): Promise<void>;
  /** Forgets the list; answers to requests made before it no longer land. */
  reset(): void;
  /** A check, taken when a request starts, of whether the list has been reset since (its answer is stale). */
  currentGeneration(): () => boolean;
}

/**
 * One page of a lab list with its paging state and staleness guards, as Directus's `useItems` gives every view
 * `{items, totalCount, loading, error, getItems}`: a reset while a request is in flight makes its answer stale,
 * and of two loads only the later one lands. For the stores' setup functions, which add their own events.
 */
export function usePagedList<Item>(options: PagedListOptions<Item>): PagedList<Item> {
  const items = ref<Item[]>([]) as Ref<Item[]>;
  const total = ref(0);
  const offset = ref(0);
  const loaded = ref(false);
  const loading = ref(false);
  const error = shallowRef<LabError | null>(null);

  let generation = 0;
  let listRequest = 0;

  function currentGeneration(): () => boolean {
    const mine = generation;
    return () => mine === generation;
  }

  async function load(pageOffset: number = offset.value): Promise<void> {
    const current = currentGeneration();
    const request = ++listRequest;
    const latest = (): boolean => current() && request === listRequest;
    loading.value = true;
    error.value = null;
    try {
      const page = await options.fetchPage(pageOffset, options.pageSize);
      if (!latest()) return;
      if (options.backOffPastEnd === true && page.items.length === 0 && page.total > 0 && pageOffset > 0) {
        await load(Math.max(0, Math.floor((page.total - 1) / options.pageSize) * options.pageSize));
        return;
      }
      options.onPage?.(page);
      items.value = page.items;
      total.value = page.total;
      offset.value = pageOffset;
      loaded.value = true;
    } catch (failure) {
      if (latest()) error.value = LabError.wrap(failure);
    } finally {
      if (latest()) loading.value = false;
    }
  }

  function reset(): void {
    generation += 1;
    items.value = [];
    total.value = 0;
    offset.value = 0;
    loaded.value = false;
    loading.value = false;
    error.value = null;
  }

  return { items, total, offset, loaded, loading, error, load, reset, currentGeneration };
}
