import { flushPromises, type VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../../../src/shared/errors.ts';
import { FakeTransport } from '../../fake-transport.ts';
import { datasetSummary, experimentSummary, runSummary } from '../../lab-fixtures.ts';
import { mountAppAt } from '../../mount-app.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

function lab(): FakeTransport {
  return new FakeTransport()
    .answer('datasets/list', () => ({ items: [datasetSummary({ id: 3, name: 'images', rank: 2, xShape: [16, 52, 1] }), datasetSummary({ id: 1, name: 'toy' })], total: 2 }))
    .answer('experiments/list', () => ({ items: [], total: 0 }))
    .answer('experiments/create', () => experimentSummary({ id: 7 }));
}

const form = (wrapper: VueWrapper) => wrapper.get('form[aria-label="New experiment"]');
const createRequest = (transport: FakeTransport) => transport.sent.find((s) => s.channel === 'experiments/create')?.request;

describe('NewExperimentView', () => {
  it('offers every method, the datasets of the lab (the one asked for chosen), and a default estimate', async () => {
    const transport = lab();
    const { wrapper } = await mountAppAt('/experiments/new?dataset=1', transport);

    expect(transport.sent.find((s) => s.channel === 'datasets/list')?.request).toEqual({ offset: 0, limit: 500 });
    expect(form(wrapper).findAll('input[name="methods"]').map((i) => i.attributes('value'))).toEqual(['dash', 'pdash', 'backbone', 'random']);
    expect((form(wrapper).get('select[name="dataset"]').element as HTMLSelectElement).value).toBe('1');
    expect(form(wrapper).get('[data-estimate="runs"]').text()).toBe('3 runs');
    expect(form(wrapper).get('button[type="submit"]').text()).toBe('Start 3 runs');
  });

  it('the estimate follows methods, seeds and preset: runs, and epochs per phase', async () => {
    const { wrapper } = await mountAppAt('/experiments/new?dataset=1', lab());
    await form(wrapper).get('input[value="random"]').setValue(true);
    await form(wrapper).get('input[name="seeds"]').setValue('0-4');
    await form(wrapper).get('input[name="preset"][value="smoke"]').setValue(true);

    expect(form(wrapper).get('[data-estimate="runs"]').text()).toBe('10 runs');
    // smoke: 2 search + 2 trials x 1 + 3 retrain = 7 epochs per run
    expect(form(wrapper).get('[data-estimate="epochs"]').text()).toBe('70 training epochs');
    expect(form(wrapper).get('tr[data-phase="hp-search"]').text()).toContain('2 trials × 1 epochs');
    expect(form(wrapper).get('tr[data-phase="search"]').text()).toContain('4 patterns per layer');
  });

  it('shows a measured time when a finished run of the same dataset and budget exists', async () => {
    const transport = lab().answer('experiments/list', () => ({
      items: [experimentSummary({ id: 4, dataset: { id: 1, name: 'toy' }, preset: 'smoke', runs: [runSummary({ id: 9, status: 'done', seconds: { total: 5.5 } })] })],
      total: 1,
    }));
    const { wrapper } = await mountAppAt('/experiments/new?dataset=1', transport);
    await form(wrapper).get('input[name="preset"][value="smoke"]').setValue(true);
    await form(wrapper).get('input[name="seeds"]').setValue('0,1');

    expect(form(wrapper).get('[data-estimate="measured"]').text()).toContain('took 5.5 s');
    expect(form(wrapper).get('[data-estimate="measured"]').text()).toContain('about 11 s for this experiment');
  });

  it('checks the seeds in place and sends nothing while they are wrong', async () => {
    const transport = lab();
    const { wrapper } = await mountAppAt('/experiments/new', transport);
    const seeds = form(wrapper).get('input[name="seeds"]');
    await seeds.setValue('0,x');
    await seeds.trigger('blur');

    expect(form(wrapper).get('.field-error').text()).toContain('“x” is not a seed');
    await form(wrapper).trigger('submit');
    await flushPromises();
    expect(createRequest(transport)).toBeUndefined();
  });

  it('starts the experiment with what the form says and shows it in the experiments list', async () => {
    const transport = lab();
    const { wrapper, router } = await mountAppAt('/experiments/new?dataset=1', transport);
    await form(wrapper).get('input[name="seeds"]').setValue('0,1');
    await form(wrapper).get('input[name="preset"][value="smoke"]').setValue(true);

    await form(wrapper).trigger('submit');
    await flushPromises();

    expect(createRequest(transport)).toEqual({ dataset: 1, methods: ['dash'], seeds: [0, 1], preset: 'smoke', selection: 'argmax' });
    expect(router.currentRoute.value.fullPath).toBe('/experiments?created=7');
  });

  it('shows the lab’s refusal (a method this engine cannot run) in place, with its hint', async () => {
    const transport = lab().answer('experiments/create', () => {
      throw new LabError('bad-request', 'Method pdash is not available in this engine build; it runs dash.', 'Choose --methods dash.');
    });
    const { wrapper, router } = await mountAppAt('/experiments/new', transport);
    await form(wrapper).get('input[value="pdash"]').setValue(true);

    await form(wrapper).trigger('submit');
    await flushPromises();

    const alert = form(wrapper).get('[role="alert"]');
    expect(alert.attributes('data-code')).toBe('bad-request');
    expect(alert.get('.error-title').text()).toBe('The lab refused to start the experiment: the request needs a change');
    expect(alert.get('.error-message').text()).toContain('pdash is not available');
    expect(alert.get('.error-hint').text()).toBe('Choose --methods dash.');
    expect(router.currentRoute.value.path).toBe('/experiments/new');
  });

  it("the grid follows the preset and the dataset's rank until edited; an edited grid is sent", async () => {
    const transport = lab();
    const { wrapper } = await mountAppAt('/experiments/new?dataset=3', transport);
    const on = () => form(wrapper).findAll('.space-grid td.is-on').map((td) => td.attributes('data-cell'));

    // quick on 2-D data: DASH's 2-D grid, 4 x 4
    expect(on()).toHaveLength(16);
    await form(wrapper).get('input[name="preset"][value="smoke"]').setValue(true);
    expect(on()).toEqual(['3x1', '3x2', '5x1', '5x2']);

    await form(wrapper).get('button[data-dilation="2"]').trigger('click');
    await form(wrapper).get('button[data-kernel="7"]').trigger('click');
    expect(on()).toEqual(['3x1', '5x1', '7x1']);
    expect(form(wrapper).get('.space-summary').text()).toContain('edited');

    await form(wrapper).trigger('submit');
    await flushPromises();
    expect(createRequest(transport)).toMatchObject({ dataset: 3, preset: 'smoke', kernels: [3, 5, 7], dilations: [1] });
  });

  it('adds a kernel size only if it is odd', async () => {
    const { wrapper } = await mountAppAt('/experiments/new', lab());
    await form(wrapper).get('input[name="addKernel"]').setValue('4');
    await form(wrapper).findAll('.add-input button')[0]!.trigger('click');
    expect(form(wrapper).text()).toContain('4 is even');
    await form(wrapper).get('input[name="addKernel"]').setValue('21');
    await form(wrapper).findAll('.add-input button')[0]!.trigger('click');
    expect(form(wrapper).get('button[data-kernel="21"]').attributes('aria-pressed')).toBe('true');
  });

  it('a custom budget becomes overrides; the keep schedule is shown but cannot be sent', async () => {
    const transport = lab();
    const { wrapper } = await mountAppAt('/experiments/new?dataset=1', transport);
    await form(wrapper).get('input[name="customBudget"]').setValue(true);
    expect((form(wrapper).get('input[name="retrainEpochs"]').element as HTMLInputElement).value).toBe('10');
    await form(wrapper).get('input[name="retrainEpochs"]').setValue('30');
    await form(wrapper).get('input[name="searchBatchSize"]').setValue('');
    expect(form(wrapper).get('tr[data-phase="retrain"]').text()).toContain('30');

    const keep = form(wrapper).get('input[name="keepSchedule"]');
    expect(keep.attributes('disabled')).toBeDefined();
    expect(form(wrapper).get('#keep-note').text()).toContain('has no field for it yet');

    await form(wrapper).trigger('submit');
    await flushPromises();
    expect(createRequest(transport)).toMatchObject({ preset: 'quick', overrides: { retrain: { epochs: 30 }, search: { batchSize: null } } });
    expect(createRequest(transport)).not.toHaveProperty('keep');
  });

  it('says so when the lab has no dataset yet', async () => {
    const transport = lab().answer('datasets/list', () => ({ items: [], total: 0 }));
    const { wrapper } = await mountAppAt('/experiments/new', transport);
    expect(wrapper.text()).toContain('This lab has no dataset yet');
    await form(wrapper).trigger('submit');
    await flushPromises();
    expect(form(wrapper).text()).toContain('Choose a dataset.');
  });
});
