import { flushPromises, type VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../../../src/shared/errors.ts';
import { FakeTransport } from '../../fake-transport.ts';
import { datasetSummary, experimentSummary, runSummary } from '../../lab-fixtures.ts';
import { mountAppAt } from '../../mount-app.ts';
import { PRESETS } from '../../../../../src/shared/engine/index.ts';

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

  it('the estimate follows methods, seeds and preset: runs, and epochs per phase of each method', async () => {
    const { wrapper } = await mountAppAt('/experiments/new?dataset=1', lab());
    await form(wrapper).get('input[value="random"]').setValue(true);
    await form(wrapper).get('input[name="seeds"]').setValue('0-4');
    await form(wrapper).get('input[name="preset"][value="smoke"]').setValue(true);

    expect(form(wrapper).get('[data-estimate="runs"]').text()).toBe('10 runs');
    // smoke: 2 search + 2 trials x 1 + 3 retrain = 7 epochs per run, for DASH and (in DASH's search budget) Random
    expect(form(wrapper).get('[data-estimate="epochs"]').text()).toBe('70 training epochs');
    expect(form(wrapper).findAll('.methods-cost tbody tr').map((tr) => tr.attributes('data-method'))).toEqual(['dash', 'random']);
    expect(form(wrapper).get('tr[data-method="dash"] td[data-phase="search"]').text()).toBe('2supernet over 4 patterns per layer');
    expect(form(wrapper).get('tr[data-method="random"] td[data-phase="search"]').text()).toContain('≈ 2');
    expect(form(wrapper).get('[data-note="hp-search"]').text()).toContain('2 trials × 1 epochs');

    await form(wrapper).get('input[value="backbone"]').setValue(true);
    expect(form(wrapper).get('tr[data-method="backbone"] td[data-phase="search"]').text()).toContain('no search');
    // + 5 backbone runs of 2 + 3 epochs
    expect(form(wrapper).get('[data-estimate="epochs"]').text()).toBe('95 training epochs');
  });

  it('shows the measured time of each method and, when every method has one, of the whole experiment', async () => {
    const transport = lab().answer('experiments/list', () => ({
      items: [experimentSummary({ id: 4, dataset: { id: 1, name: 'toy' }, preset: 'smoke', runs: [runSummary({ id: 9, status: 'done', seconds: { total: 5.5 } })] })],
      total: 1,
    }));
    const { wrapper } = await mountAppAt('/experiments/new?dataset=1', transport);
    await form(wrapper).get('input[name="preset"][value="smoke"]').setValue(true);
    await form(wrapper).get('input[name="seeds"]').setValue('0,1');

    expect(form(wrapper).get('[data-measured="dash"]').text()).toBe('5.5 s run #9');
    expect(form(wrapper).get('[data-estimate="measured"]').text()).toBe('From the measured runs: about 11 s for this experiment.');

    await form(wrapper).get('input[value="pdash"]').setValue(true);
    expect(form(wrapper).get('[data-measured="pdash"]').text()).toBe('—');
    expect(form(wrapper).get('[data-estimate="measured"]').text()).toContain('Not every method has a finished run');
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

  it('shows the lab’s refusal in place, with its hint', async () => {
    const transport = lab().answer('experiments/create', () => {
      throw new LabError('bad-request', "Dataset 'toy' is a regression task with vector targets; the search backbones handle classification and dense prediction.", 'Choose a classification or dense dataset.');
    });
    const { wrapper, router } = await mountAppAt('/experiments/new', transport);

    await form(wrapper).trigger('submit');
    await flushPromises();

    const alert = form(wrapper).get('[role="alert"]');
    expect(alert.attributes('data-code')).toBe('bad-request');
    expect(alert.get('.error-title').text()).toBe('The lab refused to start the experiment: the request needs a change');
    expect(alert.get('.error-message').text()).toContain('is a regression task');
    expect(alert.get('.error-hint').text()).toBe('Choose a classification or dense dataset.');
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

  it('a custom budget becomes overrides', async () => {
    const transport = lab();
    const { wrapper } = await mountAppAt('/experiments/new?dataset=1', transport);
    await form(wrapper).get('input[name="customBudget"]').setValue(true);
    expect((form(wrapper).get('input[name="retrainEpochs"]').element as HTMLInputElement).value).toBe(String(PRESETS.quick.retrain.epochs));
    await form(wrapper).get('input[name="retrainEpochs"]').setValue('30');
    await form(wrapper).get('input[name="searchBatchSize"]').setValue('');
    expect(form(wrapper).get('tr[data-method="dash"] td[data-phase="retrain"]').text()).toBe('30');

    await form(wrapper).trigger('submit');
    await flushPromises();
    expect(createRequest(transport)).toMatchObject({ preset: 'quick', overrides: { retrain: { epochs: 30 }, search: { batchSize: null } } });
    expect(createRequest(transport)).not.toHaveProperty('pdash');
  });

  it("P-DASH's rounds: shown with P-DASH, planned as typed, the estimate counts rounds × epochs per round", async () => {
    const transport = lab();
    const { wrapper } = await mountAppAt('/experiments/new?dataset=1', transport);
    await form(wrapper).get('input[name="preset"][value="smoke"]').setValue(true);
    expect(form(wrapper).find('input[name="pdashRounds"]').exists()).toBe(false);

    await form(wrapper).get('input[value="pdash"]').setValue(true);
    // smoke's own rounds on its 2 x 2 grid: 4 -> 2 -> 1, one epoch each (half of 2 search epochs)
    expect((form(wrapper).get('input[name="pdashRounds"]').element as HTMLInputElement).value).toBe('2');
    expect(form(wrapper).get('[data-pdash-plan]').text()).toBe('Candidates per layer: 4 → 2 → 1 — 2 rounds × 1 epoch = 2 search epochs.');
    expect(form(wrapper).get('tr[data-method="pdash"] td[data-phase="search"]').text()).toBe('22 rounds × 1 epoch, 4 → 2 → 1 patterns per layer');

    await form(wrapper).get('input[name="pdashRounds"]').setValue('3');
    expect(form(wrapper).get('.pdash-rounds .field-error').text()).toContain('leaves 1 for round 3 of 3');
    expect(form(wrapper).get('[data-pdash-plan]').text()).toBe('No plan until the fields above are right.');
    await form(wrapper).get('input[name="pdashRounds"]').setValue('2');

    // A schedule: offered as the preset's plan, checked against the grid's kernels x dilations.
    await form(wrapper).get('input[name="pdashMode"][value="schedule"]').setValue(true);
    const schedule = form(wrapper).get('input[name="pdashSchedule"]');
    expect((schedule.element as HTMLInputElement).value).toBe('4,2,1');
    await schedule.setValue('16,4,1');
    expect(form(wrapper).get('.pdash-rounds .field-error').text()).toBe("The schedule starts at the search space's 4 patterns per layer (2 kernel sizes × 2 dilations): e.g. 4,2,1.");
    await form(wrapper).trigger('submit');
    await flushPromises();
    expect(createRequest(transport)).toBeUndefined();

    await schedule.setValue('4,1');
    await form(wrapper).get('input[name="pdashRoundEpochs"]').setValue('3');
    expect(form(wrapper).get('[data-pdash-plan]').text()).toBe('Candidates per layer: 4 → 1 — 1 round × 3 epochs = 3 search epochs.');
    // DASH 2 + 2 + 3 = 7; P-DASH 3 + 2 + 3 = 8; seeds 0,1,2
    expect(form(wrapper).get('[data-estimate="epochs"]').text()).toBe('45 training epochs');

    await form(wrapper).get('input[name="selection"][value="perturbation"]').setValue(true);
    expect(form(wrapper).get('[data-note="perturbation"]').text()).toContain('fine-tunes the supernet 1 epoch after each layer it fixes');
    await form(wrapper).trigger('submit');
    await flushPromises();
    expect(createRequest(transport)).toEqual({ dataset: 1, methods: ['dash', 'pdash'], seeds: [0, 1, 2], preset: 'smoke', selection: 'perturbation', pdash: { schedule: [4, 1], roundEpochs: 3 } });
  });

  it("a schedule nobody edited follows the grid's size", async () => {
    const { wrapper } = await mountAppAt('/experiments/new?dataset=1', lab());
    await form(wrapper).get('input[name="preset"][value="smoke"]').setValue(true);
    await form(wrapper).get('input[value="pdash"]').setValue(true);
    await form(wrapper).get('input[name="pdashMode"][value="schedule"]').setValue(true);
    await form(wrapper).get('button[data-kernel="7"]').trigger('click');
    expect((form(wrapper).get('input[name="pdashSchedule"]').element as HTMLInputElement).value).toBe('6,3,1');
    expect(form(wrapper).find('.pdash-rounds .field-error').exists()).toBe(false);
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
