import { beforeEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../../src/shared/errors.ts';
import { DATASETS_PAGE_SIZE, PREVIEW_SAMPLES_PER_SPLIT, useDatasetsStore } from '../../../../src/renderer/stores/datasets.ts';
import { FakeTransport, deferred, installLab } from '../fake-transport.ts';
import { datasetDetail, datasetSummary } from '../lab-fixtures.ts';

describe('useDatasetsStore', () => {
  let transport: FakeTransport;

  beforeEach(() => {
    transport = new FakeTransport();
    installLab(transport);
  });

  it('load() asks datasets/list for a page and keeps it', async () => {
    const toy = datasetSummary();
    transport.answer('datasets/list', () => ({ items: [toy], total: 21 }));
    const datasets = useDatasetsStore();

    await datasets.load(20);

    expect(transport.sent).toEqual([{ channel: 'datasets/list', request: { offset: 20, limit: DATASETS_PAGE_SIZE } }]);
    expect(datasets.items).toEqual([toy]);
    expect(datasets.total).toBe(21);
    expect(datasets.offset).toBe(20);
    expect(datasets.loaded).toBe(true);
    expect(datasets.known[1]).toEqual(toy);
  });

  it('a page past the end (datasets removed elsewhere) falls back to the last page', async () => {
    transport.answer('datasets/list', (request) => {
      const { offset } = request as { offset: number };
      return offset >= 20 ? { items: [], total: 3 } : { items: [datasetSummary()], total: 3 };
    });
    const datasets = useDatasetsStore();

    await datasets.load(40);

    expect(transport.sent.map((s) => (s.request as { offset: number }).offset)).toEqual([40, 0]);
    expect(datasets.offset).toBe(0);
    expect(datasets.items).toHaveLength(1);
  });

  it('a failed load keeps the LabError with its hint', async () => {
    transport.answer('datasets/list', () => {
      throw new LabError('unavailable', 'The lab database is locked.', 'Close the other window.');
    });
    const datasets = useDatasetsStore();

    await datasets.load();

    expect(datasets.error?.code).toBe('unavailable');
    expect(datasets.error?.hint).toBe('Close the other window.');
    expect(datasets.loading).toBe(false);
  });

  it('show() opens a dataset with preview samples; a later show wins over an earlier slow one', async () => {
    const slow = deferred<unknown>();
    transport.answer('datasets/show', (request) => ((request as { dataset: number }).dataset === 1 ? slow.promise : datasetDetail({ id: 2, name: 'two' })));
    const datasets = useDatasetsStore();

    const first = datasets.show(1);
    await datasets.show(2);
    slow.resolve(datasetDetail({ id: 1 }));
    await first;

    expect(transport.sent[0]).toEqual({ channel: 'datasets/show', request: { dataset: 1, samplesPerSplit: PREVIEW_SAMPLES_PER_SPLIT } });
    expect(datasets.detailId).toBe(2);
    expect(datasets.detail?.name).toBe('two');
    expect(datasets.detailLoading).toBe(false);
  });

  it('importFiles() sends the request, tracks import-progress events by name, and puts the new dataset on top', async () => {
    const answer = deferred<unknown>();
    transport.answer('datasets/list', () => ({ items: [datasetSummary({ id: 1, name: 'older' })], total: 1 }));
    transport.answer('datasets/import', () => answer.promise);
    const datasets = useDatasetsStore();
    await datasets.load(0);

    const request = { name: 'toy', kind: 'classification' as const, trainX: '/d/tx.npy', trainY: '/d/ty.npy', testX: '/d/sx.npy', testY: '/d/sy.npy' };
    const importing = datasets.importFiles(request);
    transport.emitEvent('datasets/import-progress', { importId: 'a', name: 'toy', split: 'train', rowsDone: 16, rowsTotal: 64 });
    expect(datasets.importProgress.toy).toEqual({ importId: 'a', name: 'toy', split: 'train', rowsDone: 16, rowsTotal: 64 });
    answer.resolve(datasetSummary({ id: 2, name: 'toy' }));
    const summary = await importing;

    expect(transport.sent.at(-1)).toEqual({ channel: 'datasets/import', request });
    expect(summary.id).toBe(2);
    expect(datasets.items.map((d) => d.name)).toEqual(['toy', 'older']);
    expect(datasets.total).toBe(2);
    expect(datasets.importProgress.toy).toBeUndefined();
  });

  it('a refused import throws the LabError and clears its progress', async () => {
    transport.answer('datasets/import', () => {
      throw new LabError('not-found', 'No file /d/tx.npy on the lab machine.', 'Check the path.');
    });
    const datasets = useDatasetsStore();
    const importing = datasets.importFiles({ name: 'toy', kind: 'classification', trainX: '/d/tx.npy', trainY: '/d/ty.npy', testX: '/d/sx.npy', testY: '/d/sy.npy' });
    transport.emitEvent('datasets/import-progress', { importId: 'a', name: 'toy', split: 'train', rowsDone: 1, rowsTotal: 64 });

    await expect(importing).rejects.toMatchObject({ code: 'not-found', hint: 'Check the path.' });
    expect(datasets.importProgress).toEqual({});
  });

  it('generate() asks datasets/generate; its progress is keyed by the name the core gives it', async () => {
    const answer = deferred<unknown>();
    transport.answer('datasets/generate', () => answer.promise);
    const datasets = useDatasetsStore();

    const generating = datasets.generate({ task: 'ecg-synth', size: 'tiny', seed: 3 });
    transport.emitEvent('datasets/import-progress', { importId: 'g', name: 'ecg-synth-tiny-seed3', split: 'test', rowsDone: 8, rowsTotal: 32 });
    expect(datasets.importProgress['ecg-synth-tiny-seed3']?.rowsDone).toBe(8);
    answer.resolve(datasetSummary({ id: 5, name: 'ecg-synth-tiny-seed3' }));
    await generating;

    expect(transport.sent).toEqual([{ channel: 'datasets/generate', request: { task: 'ecg-synth', size: 'tiny', seed: 3 } }]);
    expect(datasets.known[5]?.name).toBe('ecg-synth-tiny-seed3');
    expect(datasets.importProgress).toEqual({});
  });

  it('remove() drops the dataset at once and closes its detail; the page is refilled from the lab', async () => {
    const removal = deferred<unknown>();
    let listed = [datasetSummary({ id: 3, name: 'c' }), datasetSummary({ id: 2, name: 'b' }), datasetSummary({ id: 1, name: 'a' })];
    transport.answer('datasets/list', () => ({ items: listed, total: listed.length }));
    transport.answer('datasets/show', () => datasetDetail({ id: 2, name: 'b' }));
    transport.answer('datasets/remove', () => removal.promise);
    const datasets = useDatasetsStore();
    await datasets.load(0);
    await datasets.show(2);

    const removing = datasets.remove(2);
    expect(datasets.items.map((d) => d.name)).toEqual(['c', 'a']);
    expect(datasets.total).toBe(2);
    expect(datasets.detail).toBeNull();
    listed = listed.filter((d) => d.id !== 2);
    removal.resolve(datasetSummary({ id: 2, name: 'b' }));
    await removing;

    expect(transport.sent.filter((s) => s.channel === 'datasets/remove')).toEqual([{ channel: 'datasets/remove', request: { dataset: 2 } }]);
    expect(transport.sent.filter((s) => s.channel === 'datasets/list')).toHaveLength(2);
  });

  it('a refused remove puts the dataset back where it was, restores the detail, and throws the LabError', async () => {
    transport.answer('datasets/list', () => ({ items: [datasetSummary({ id: 3, name: 'c' }), datasetSummary({ id: 2, name: 'b' }), datasetSummary({ id: 1, name: 'a' })], total: 3 }));
    transport.answer('datasets/show', () => datasetDetail({ id: 2, name: 'b' }));
    transport.answer('datasets/remove', () => {
      throw new LabError('conflict', 'Dataset b is used by experiment 4.', 'Remove the experiment first.');
    });
    const datasets = useDatasetsStore();
    await datasets.load(0);
    await datasets.show(2);

    await expect(datasets.remove(2)).rejects.toMatchObject({ code: 'conflict', hint: 'Remove the experiment first.' });

    expect(datasets.items.map((d) => d.name)).toEqual(['c', 'b', 'a']);
    expect(datasets.total).toBe(3);
    expect(datasets.detailId).toBe(2);
    expect(datasets.detail?.name).toBe('b');
  });

  it('summaryOf() answers from what the store has seen, and asks datasets/show without samples otherwise', async () => {
    transport.answer('datasets/list', () => ({ items: [datasetSummary({ id: 1 })], total: 1 }));
    transport.answer('datasets/show', () => datasetDetail({ id: 7, name: 'seven' }));
    const datasets = useDatasetsStore();
    await datasets.load(0);

    expect((await datasets.summaryOf(1)).name).toBe('toy');
    const seven = await datasets.summaryOf(7);

    expect(seven.name).toBe('seven');
    expect(seven).not.toHaveProperty('samples');
    expect(transport.sent.filter((s) => s.channel === 'datasets/show')).toEqual([{ channel: 'datasets/show', request: { dataset: 7, samplesPerSplit: 0 } }]);
  });

  it('reset() forgets everything, and an answer in flight does not land after it', async () => {
    const late = deferred<unknown>();
    transport.answer('datasets/list', () => late.promise);
    const datasets = useDatasetsStore();
    const loading = datasets.load(0);

    datasets.reset();
    late.resolve({ items: [datasetSummary()], total: 1 });
    await loading;

    expect(datasets.items).toEqual([]);
    expect(datasets.loaded).toBe(false);
    expect(datasets.loading).toBe(false);
  });
});
