import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../../../src/shared/errors.ts';
import { FakeTransport } from '../../fake-transport.ts';
import { datasetDetail, datasetSummary } from '../../lab-fixtures.ts';
import { mountAppAt } from '../../mount-app.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

describe('DatasetsView', () => {
  it('an empty lab says so, with the commands for this lab and a way to add one', async () => {
    const { wrapper } = await mountAppAt('/datasets', new FakeTransport().answer('datasets/list', () => ({ items: [], total: 0 })));

    expect(wrapper.get('.empty-state h2').text()).toBe('No datasets in this lab yet');
    expect(wrapper.get('.empty-commands code').text()).toBe('pdash dataset list --lab /home/ada/pdash-lab');
    expect(wrapper.get('.empty-state a.button').attributes('href')).toBe('/datasets/add');
  });

  it('lists the datasets and opens one in the detail panel from its link', async () => {
    const transport = new FakeTransport()
      .answer('datasets/list', () => ({ items: [datasetSummary({ id: 2, name: 'ecg' }), datasetSummary()], total: 2 }))
      .answer('datasets/show', () => datasetDetail({ classNames: ['N', 'A'] }));
    const { wrapper, router } = await mountAppAt('/datasets', transport);

    expect(wrapper.findAll('table.dataset-table tbody tr').map((row) => row.attributes('data-dataset'))).toEqual(['ecg', 'toy']);
    await wrapper.get('tr[data-dataset="toy"] a').trigger('click');
    await flushPromises();

    expect(router.currentRoute.value.path).toBe('/datasets/1');
    expect(transport.sent.at(-1)).toEqual({ channel: 'datasets/show', request: { dataset: 1, samplesPerSplit: 2 } });
    const panel = wrapper.get('article.dataset-detail');
    expect(panel.get('dd[data-fact="x per sample"]').text()).toBe('(32, 1) float32');
    expect(panel.get('dd[data-fact="Classes"]').text()).toBe('2: N, A');
    expect(panel.get('dd[data-fact="Metric"]').text()).toBe('error (%), lower is better');
    expect(panel.get('dd[data-fact="Content hash"]').text()).toMatch(/^[0-9a-f]{64}$/);
    expect(panel.get('tr[data-split="validation"]').text()).toContain('carved from train: 10%, seed 0');
    expect(panel.get('[data-stats="Inputs (x)"]').text()).toContain('-0.0055');
    expect(panel.find('[aria-label="Samples per class in each split of toy"]').exists()).toBe(true);
    expect(panel.findAll('figure.sample').map((f) => f.attributes('data-sample'))).toEqual(['train-0', 'test-0']);
    expect(panel.get('figure.sample').text()).toContain('class 0 (N)');
    expect(wrapper.get('tr[data-dataset="toy"]').classes()).toContain('is-selected');
  });

  it('draws a 2-D sample as one heatmap per channel', async () => {
    const x = Array.from({ length: 2 * 3 * 2 }, (_, i) => i);
    const transport = new FakeTransport()
      .answer('datasets/list', () => ({ items: [datasetSummary()], total: 1 }))
      .answer('datasets/show', () => datasetDetail({ rank: 2, xShape: [2, 3, 2], samples: [{ split: 'train', index: 0, x, y: [1] }] }));
    const { wrapper } = await mountAppAt('/datasets/1', transport);

    const charts = wrapper.findAll('figure.sample .chart-stub');
    expect(charts.map((c) => c.attributes('aria-label'))).toEqual(['Sample train #0, channel 0 as a heatmap', 'Sample train #0, channel 1 as a heatmap']);
    const option = JSON.parse(charts[1]!.attributes('data-option')!) as { series: { type: string; data: number[][] }[] };
    expect(option.series[0]?.type).toBe('heatmap');
    expect(option.series[0]?.data).toContainEqual([2, 1, 11]);
  });

  it('removes a dataset after asking, and goes back to the list', async () => {
    let listed = [datasetSummary({ id: 2, name: 'ecg' }), datasetSummary()];
    const transport = new FakeTransport()
      .answer('datasets/list', () => ({ items: listed, total: listed.length }))
      .answer('datasets/show', () => datasetDetail())
      .answer('datasets/remove', () => {
        listed = listed.filter((d) => d.id !== 1);
        return datasetSummary();
      });
    const { wrapper, router } = await mountAppAt('/datasets/1', transport);

    await wrapper.get('article.dataset-detail button.button-danger').trigger('click');
    await flushPromises();
    const dialog = wrapper.get('dialog.confirm-dialog');
    expect(dialog.attributes('open')).toBeDefined();
    expect(dialog.text()).toContain('Remove dataset “toy”?');
    expect(dialog.text()).toContain('13.1 KiB');
    expect(transport.sent.some((s) => s.channel === 'datasets/remove')).toBe(false);

    await dialog.get('button.button-danger').trigger('click');
    await flushPromises();

    expect(transport.sent.filter((s) => s.channel === 'datasets/remove')).toEqual([{ channel: 'datasets/remove', request: { dataset: 1 } }]);
    expect(router.currentRoute.value.path).toBe('/datasets');
    expect(wrapper.findAll('table.dataset-table tbody tr').map((row) => row.attributes('data-dataset'))).toEqual(['ecg']);
  });

  it('a refused remove keeps the dataset and shows why, with the hint, in the dialog', async () => {
    const transport = new FakeTransport()
      .answer('datasets/list', () => ({ items: [datasetSummary()], total: 1 }))
      .answer('datasets/show', () => datasetDetail())
      .answer('datasets/remove', () => {
        throw new LabError('conflict', 'Dataset toy is used by experiment 3.', 'Remove `pdash experiments` first.');
      });
    const { wrapper, router } = await mountAppAt('/datasets/1', transport);

    await wrapper.get('article.dataset-detail button.button-danger').trigger('click');
    await flushPromises();
    await wrapper.get('dialog.confirm-dialog button.button-danger').trigger('click');
    await flushPromises();

    const alert = wrapper.get('dialog.confirm-dialog [role="alert"]');
    expect(alert.get('.error-title').text()).toBe("Could not remove the dataset: it conflicts with the lab's current state");
    expect(alert.get('.error-message').text()).toBe('Dataset toy is used by experiment 3.');
    expect(alert.get('.error-hint code').text()).toBe('pdash experiments');
    expect(router.currentRoute.value.path).toBe('/datasets/1');
    expect(wrapper.find('tr[data-dataset="toy"]').exists()).toBe(true);
    expect(wrapper.find('article.dataset-detail').exists()).toBe(true);
  });

  it('a dataset that cannot be opened says so in place, and Try again asks again', async () => {
    let calls = 0;
    const transport = new FakeTransport()
      .answer('datasets/list', () => ({ items: [datasetSummary()], total: 1 }))
      .answer('datasets/show', () => {
        calls += 1;
        if (calls === 1) throw new LabError('not-found', 'No dataset with id 1 in this lab.', 'List them with `pdash dataset list`.');
        return datasetDetail();
      });
    const { wrapper } = await mountAppAt('/datasets/1', transport);

    expect(wrapper.get('[role="alert"] .error-title').text()).toBe('Could not open dataset #1: something it needs was not found');
    await wrapper.get('[role="alert"] button').trigger('click');
    await flushPromises();
    expect(wrapper.find('article.dataset-detail').exists()).toBe(true);
  });
});
