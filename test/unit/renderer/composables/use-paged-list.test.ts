import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { usePagedList, type Page } from '../../../../src/renderer/composables/use-paged-list.ts';
import { LabError } from '../../../../src/shared/errors.ts';
import { deferred } from '../fake-transport.ts';

/** A list whose pages the test answers one request at a time. */
function pagedList(options: { backOffPastEnd?: boolean } = {}) {
  const requests: Array<{ offset: number; limit: number; answer: ReturnType<typeof deferred<Page<string>>> }> = [];
  const landed: string[][] = [];
  const list = usePagedList<string>({
    pageSize: 2,
    fetchPage: (offset, limit) => {
      const answer = deferred<Page<string>>();
      requests.push({ offset, limit, answer });
      return answer.promise;
    },
    onPage: (page) => landed.push(page.items),
    ...options,
  });
  return { list, requests, landed };
}

describe('usePagedList', () => {
  it('loads a page with its total and offset, loading while it is asked for', async () => {
    const { list, requests, landed } = pagedList();
    const loading = list.load(2);
    expect(list.loading.value).toBe(true);
    expect(requests.map((r) => [r.offset, r.limit])).toEqual([[2, 2]]);
    requests[0]!.answer.resolve({ items: ['c', 'd'], total: 5 });
    await loading;
    expect([list.items.value, list.total.value, list.offset.value, list.loaded.value, list.loading.value]).toEqual([['c', 'd'], 5, 2, true, false]);
    expect(landed).toEqual([['c', 'd']]);
  });

  it('of two loads in flight only the later one lands, whichever answers first', async () => {
    const { list, requests } = pagedList();
    const first = list.load(0);
    const second = list.load(2);
    requests[1]!.answer.resolve({ items: ['c'], total: 3 });
    await second;
    requests[0]!.answer.resolve({ items: ['a', 'b'], total: 3 });
    await first;
    expect(list.items.value).toEqual(['c']);
    expect(list.offset.value).toBe(2);
  });

  it('an answer or a failure in flight does not land after a reset, and currentGeneration() says so', async () => {
    const { list, requests } = pagedList();
    const loading = list.load(0);
    const current = list.currentGeneration();
    list.reset();
    expect(current()).toBe(false);
    requests[0]!.answer.reject(new LabError('unavailable', 'the lab went away'));
    await loading;
    expect([list.items.value, list.loaded.value, list.loading.value, list.error.value]).toEqual([[], false, false, null]);
    expect(list.currentGeneration()()).toBe(true);
  });

  it('keeps a failure as a LabError for the view to show', async () => {
    const { list, requests } = pagedList();
    const loading = list.load(0);
    requests[0]!.answer.reject(new LabError('unavailable', 'the lab went away'));
    await loading;
    expect(list.error.value?.code).toBe('unavailable');
    expect(list.loading.value).toBe(false);
  });

  it('backs off from a page past the end to the last real page when asked to', async () => {
    const { list, requests } = pagedList({ backOffPastEnd: true });
    const loading = list.load(4);
    requests[0]!.answer.resolve({ items: [], total: 3 });
    await flushPromises();
    expect(requests.map((r) => r.offset)).toEqual([4, 2]);
    requests[1]!.answer.resolve({ items: ['c'], total: 3 });
    await loading;
    expect([list.items.value, list.offset.value]).toEqual([['c'], 2]);
  });
});
