import { describe, expect, it } from 'vitest';
import {
  budgetFieldsOf,
  buildExperimentRequest,
  checkKernel,
  estimateCost,
  parseBudget,
  parseConcurrency,
  parseKeepSchedule,
  parseSeeds,
  type ExperimentForm,
} from '../../../../../src/renderer/modules/experiments/experiment-form.ts';
import { PRESET_BUDGETS } from '../../../../../src/renderer/modules/experiments/presets.ts';

describe('parseSeeds', () => {
  it('reads commas and ranges', () => {
    expect(parseSeeds('0,1,2')).toEqual({ ok: true, value: [0, 1, 2] });
    expect(parseSeeds(' 0-3, 7 ')).toEqual({ ok: true, value: [0, 1, 2, 3, 7] });
    expect(parseSeeds('5,')).toEqual({ ok: true, value: [5] });
  });

  it.each([
    ['', 'at least one seed'],
    ['a', '“a” is not a seed'],
    ['-1', '“-1” is not a seed'],
    ['1.5', '“1.5” is not a seed'],
    ['0,1,0', 'Seed 0 is given twice'],
    ['3-1', 'runs backwards'],
    ['0-200', 'more than 100 seeds'],
    ['2147483648', 'too large'],
  ])('refuses %j with a message that says why', (text, message) => {
    const parsed = parseSeeds(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });
});

describe('parseKeepSchedule', () => {
  it('reads a decreasing list', () => {
    expect(parseKeepSchedule('16,4,1')).toEqual({ ok: true, value: [16, 4, 1] });
    expect(parseKeepSchedule('16,16').ok).toBe(false);
    expect(parseKeepSchedule('16,x').ok).toBe(false);
  });
});

describe('parseBudget', () => {
  it("the preset's own fields give no overrides", () => {
    const parsed = parseBudget('quick', budgetFieldsOf('quick'));
    expect(parsed.overrides).toEqual({});
    expect(parsed.errors).toEqual({});
    expect(parsed.budget).toEqual(PRESET_BUDGETS.quick);
  });

  it('changed fields become overrides shaped as the engine configuration; an empty batch size is the task default', () => {
    const fields = { ...budgetFieldsOf('quick'), searchEpochs: '3', retrainEpochs: '30', retrainBatchSize: '' };
    const parsed = parseBudget('quick', fields);
    expect(parsed.overrides).toEqual({ search: { epochs: 3 }, retrain: { epochs: 30, batchSize: null } });
    expect(parsed.budget.retrain).toEqual({ epochs: 30, batchSize: null });
  });

  it('names each bad field: retraining needs an epoch, HP search may be skipped', () => {
    const parsed = parseBudget('smoke', { ...budgetFieldsOf('smoke'), retrainEpochs: '0', hpEpochs: '0', searchBatchSize: 'x', searchEpochs: '' });
    expect(Object.keys(parsed.errors).sort()).toEqual(['retrainEpochs', 'searchBatchSize', 'searchEpochs']);
    expect(parsed.errors.retrainEpochs).toContain('at least 1');
    expect(parsed.overrides.hpSearch).toEqual({ epochs: 0 });
  });
});

describe('checkKernel', () => {
  it('wants odd sizes from 1 to 63', () => {
    expect(checkKernel(7)).toBeNull();
    expect(checkKernel(4)).toContain('odd');
    expect(checkKernel(65)).toContain('1 to 63');
  });
});

describe('parseConcurrency', () => {
  it('is optional, 1 to 16', () => {
    expect(parseConcurrency('')).toEqual({ ok: true, value: undefined });
    expect(parseConcurrency('4')).toEqual({ ok: true, value: 4 });
    expect(parseConcurrency('0').ok).toBe(false);
    expect(parseConcurrency('17').ok).toBe(false);
  });
});

describe('estimateCost', () => {
  it('counts runs as methods × seeds and epochs per phase from the budget', () => {
    const estimate = estimateCost({ methods: 2, seeds: 3, budget: PRESET_BUDGETS.smoke, grid: { kernels: [3, 5], dilations: [1, 2] }, concurrency: 4 });
    expect(estimate.runs).toBe(6);
    expect(estimate.patterns).toBe(4);
    expect(estimate.perRun).toEqual({ searchEpochs: 2, hpTrials: 2, hpEpochsPerTrial: 1, hpEpochs: 2, retrainEpochs: 3, epochs: 7 });
    expect(estimate.epochs).toBe(42);
    expect(estimate.waves).toBe(2);
  });
});

describe('buildExperimentRequest', () => {
  const form = (overrides: Partial<ExperimentForm> = {}): ExperimentForm => ({
    name: '',
    datasetId: 4,
    methods: ['dash'],
    seedsText: '0,1',
    preset: 'smoke',
    customBudget: false,
    budget: budgetFieldsOf('smoke'),
    grid: { kernels: [3, 5], dilations: [1, 2] },
    presetGrid: { kernels: [3, 5], dilations: [1, 2] },
    selection: 'argmax',
    concurrencyText: '',
    ...overrides,
  });

  it("sends only what differs from the preset: no grid, no overrides when they are the preset's", () => {
    expect(buildExperimentRequest(form())).toEqual({ ok: true, request: { dataset: 4, methods: ['dash'], seeds: [0, 1], preset: 'smoke', selection: 'argmax' } });
  });

  it('sends an edited grid sorted, a custom budget as overrides, a name and the concurrency', () => {
    const built = buildExperimentRequest(
      form({
        name: '  grid test ',
        grid: { kernels: [7, 3], dilations: [1] },
        customBudget: true,
        budget: { ...budgetFieldsOf('smoke'), retrainEpochs: '5' },
        concurrencyText: '2',
        methods: ['dash', 'random'],
      }),
    );
    expect(built).toEqual({
      ok: true,
      request: { name: 'grid test', dataset: 4, methods: ['dash', 'random'], seeds: [0, 1], preset: 'smoke', selection: 'argmax', kernels: [3, 7], dilations: [1], overrides: { retrain: { epochs: 5 } }, concurrency: 2 },
    });
  });

  it('collects every problem at once', () => {
    const built = buildExperimentRequest(form({ datasetId: null, methods: [], seedsText: 'x', grid: { kernels: [], dilations: [1] }, concurrencyText: '99', customBudget: true, budget: { ...budgetFieldsOf('smoke'), retrainEpochs: '' } }));
    expect(built.ok).toBe(false);
    if (!built.ok) expect(Object.keys(built.errors).sort()).toEqual(['concurrency', 'dataset', 'grid', 'methods', 'retrainEpochs', 'seeds']);
  });
});
