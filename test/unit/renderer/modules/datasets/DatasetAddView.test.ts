import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../../../src/shared/errors.ts';
import { arrayFilePickerKey, type ArrayFilePicker } from '../../../../../src/renderer/composables/use-array-file-picker.ts';
import { FakeTransport, deferred } from '../../fake-transport.ts';
import { datasetDetail, datasetSummary } from '../../lab-fixtures.ts';
import { mountAppAt } from '../../mount-app.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

function lab(): FakeTransport {
  return new FakeTransport().answer('datasets/list', () => ({ items: [], total: 0 })).answer('datasets/show', () => datasetDetail({ id: 2 }));
}

describe('DatasetAddView: import files', () => {
  it('says the paths are read on the lab server’s machine', async () => {
    const { wrapper } = await mountAppAt('/datasets/add', lab());
    expect(wrapper.get('[data-note="paths"]').text()).toContain("the lab server's machine (linux x64)");
    expect(wrapper.get('[data-note="paths"]').text()).toContain('uploads it into the lab folder');
  });

  it('checks the fields in place and sends nothing while they are wrong', async () => {
    const transport = lab();
    const { wrapper } = await mountAppAt('/datasets/add', transport);
    const form = wrapper.get('form.import-form');

    await form.trigger('submit');
    await flushPromises();

    expect(form.findAll('.field-error').map((e) => e.text())).toContain('Name the dataset.');
    expect(form.get('input[name="trainX"]').attributes('aria-invalid')).toBe('true');
    expect(transport.sent.some((s) => s.channel === 'datasets/import')).toBe(false);
  });

  it('imports, shows the progress events as a bar, and opens the new dataset', async () => {
    const answer = deferred<unknown>();
    const transport = lab().answer('datasets/import', () => answer.promise);
    const { wrapper, router } = await mountAppAt('/datasets/add', transport);
    const form = wrapper.get('form.import-form');
    await form.get('input[name="name"]').setValue('toy');
    for (const field of ['trainX', 'trainY', 'testX', 'testY']) await form.get(`input[name="${field}"]`).setValue(`/data/${field}.npy`);
    await form.get('input[name="classes"]').setValue('2');

    await form.trigger('submit');
    await flushPromises();
    expect(transport.sent.find((s) => s.channel === 'datasets/import')?.request).toEqual({
      name: 'toy',
      kind: 'classification',
      trainX: '/data/trainX.npy',
      trainY: '/data/trainY.npy',
      testX: '/data/testX.npy',
      testY: '/data/testY.npy',
      classes: 2,
      valFraction: 0.1,
      seed: 0,
    });
    expect(form.get('button[type="submit"]').text()).toBe('Importing…');
    expect(form.get('.import-progress').text()).toContain('Reading and checking the files');

    transport.emitEvent('datasets/import-progress', { importId: 'i', name: 'toy', split: 'train', rowsDone: 16, rowsTotal: 64 });
    await flushPromises();
    expect(form.get('.import-progress').text()).toContain('Writing train: 16 of 64 rows');
    expect(form.get('[role="progressbar"]').attributes('aria-valuenow')).toBe('25');

    answer.resolve(datasetSummary({ id: 2 }));
    await flushPromises();
    expect(router.currentRoute.value.path).toBe('/datasets/2');
  });

  it('a refused import is shown in the form with its code-specific title and hint', async () => {
    const transport = lab().answer('datasets/import', () => {
      throw new LabError('not-found', 'No such file: /data/trainX.npy.', 'Give a path on the lab’s machine.');
    });
    const { wrapper, router } = await mountAppAt('/datasets/add', transport);
    const form = wrapper.get('form.import-form');
    await form.get('input[name="name"]').setValue('toy');
    for (const field of ['trainX', 'trainY', 'testX', 'testY']) await form.get(`input[name="${field}"]`).setValue(`/data/${field}.npy`);

    await form.trigger('submit');
    await flushPromises();

    const alert = form.get('[role="alert"]');
    expect(alert.get('.error-title').text()).toBe('Could not import the dataset: something it needs was not found');
    expect(alert.get('.error-message').text()).toBe('No such file: /data/trainX.npy.');
    expect(alert.get('.error-hint').text()).toBe('Give a path on the lab’s machine.');
    expect(router.currentRoute.value.path).toBe('/datasets/add');
    expect(form.get('button[type="submit"]').text()).toBe('Import');
  });

  it('shows an upload that the lab refused in place, with its hint', async () => {
    const { LabError } = await import('../../../../../src/shared/errors.ts');
    const picker: ArrayFilePicker = { pickArrayFile: () => Promise.reject(new LabError('bad-request', 'notes.txt: only .npy, .npz, .csv and .tsv files can be imported.', 'Save the arrays with numpy.save.')) };
    const { wrapper } = await mountAppAt('/datasets/add', lab(), { [arrayFilePickerKey as symbol]: picker });
    await wrapper.get('button[data-browse="trainX"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('.form-failure').text()).toContain('only .npy, .npz, .csv and .tsv');
    expect(wrapper.get('.form-failure').text()).toContain('Save the arrays with numpy.save.');
  });

  it('offers Browse buttons only when a native picker is provided, and fills the field from it', async () => {
    const without = await mountAppAt('/datasets/add', lab());
    expect(without.wrapper.findAll('form.import-form button').map((b) => b.text())).not.toContain('Browse…');
    without.wrapper.unmount();

    const picker: ArrayFilePicker = { pickArrayFile: async ({ field }) => `/picked/${field}.npy` };
    const { wrapper } = await mountAppAt('/datasets/add', lab(), { [arrayFilePickerKey as symbol]: picker });
    const browse = wrapper.findAll('form.import-form button').filter((b) => b.text() === 'Browse…');
    expect(browse).toHaveLength(4);
    await browse[0]!.trigger('click');
    await flushPromises();
    expect((wrapper.get('input[name="trainX"]').element as HTMLInputElement).value).toBe('/picked/trainX.npy');
  });

  it('asks for validation paths instead of a fraction when the user has a validation split', async () => {
    const { wrapper } = await mountAppAt('/datasets/add', lab());
    const form = wrapper.get('form.import-form');
    expect(form.find('input[name="valX"]').exists()).toBe(false);
    await form.get('input[name="hasValidation"]').setValue(true);
    expect(form.find('input[name="valX"]').exists()).toBe(true);
    expect(form.find('input[name="valFraction"]').exists()).toBe(false);
  });
});

describe('DatasetAddView: generate a built-in task', () => {
  it('offers every built-in task, sends datasets/generate, and opens the dataset', async () => {
    const answer = deferred<unknown>();
    const transport = lab().answer('datasets/generate', () => answer.promise);
    const { wrapper, router } = await mountAppAt('/datasets/add', transport);
    const form = wrapper.get('form.generate-form');

    expect(form.findAll('input[name="task"]').map((i) => i.attributes('value'))).toEqual(['ecg-synth', 'darcy-synth', 'ninapro-synth']);
    await form.get('input[value="ninapro-synth"]').setValue(true);
    await form.get('select[name="size"]').setValue('tiny');
    await form.get('input[name="generateSeed"]').setValue('4');
    expect(form.get('input[name="generateName"]').attributes('placeholder')).toBe('ninapro-synth-tiny-seed4');

    await form.trigger('submit');
    await flushPromises();
    expect(transport.sent.find((s) => s.channel === 'datasets/generate')?.request).toEqual({ task: 'ninapro-synth', size: 'tiny', seed: 4 });
    transport.emitEvent('datasets/import-progress', { importId: 'g', name: 'ninapro-synth-tiny-seed4', split: 'val', rowsDone: 9, rowsTotal: 36 });
    await flushPromises();
    expect(form.get('.import-progress').text()).toContain('Writing validation: 9 of 36 rows');

    answer.resolve(datasetSummary({ id: 2, name: 'ninapro-synth-tiny-seed4' }));
    await flushPromises();
    expect(router.currentRoute.value.path).toBe('/datasets/2');
  });

  it('refuses a seed that is not a whole number, in place', async () => {
    const transport = lab();
    const { wrapper } = await mountAppAt('/datasets/add', transport);
    const form = wrapper.get('form.generate-form');
    await form.get('input[name="generateSeed"]').setValue('x');
    await form.trigger('submit');
    await flushPromises();
    expect(form.get('.field-error').text()).toContain('whole number');
    expect(transport.sent.some((s) => s.channel === 'datasets/generate')).toBe(false);
  });
});
