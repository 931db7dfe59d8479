import { describe, expect, it } from 'vitest';
import {
  budgetFieldsOf,
  buildExperimentRequest,
  checkKernel,
  estimateCost,
  measuredTotal,
  parseBudget,
  parseConcurrency,
  parseSeeds,
  PRESET_CHOICES,
  presetGrid,
  type ExperimentForm,
} from '../../../../../src/renderer/modules/experiments/experiment-form.ts';
import { pdashFieldsOf } from '../../../../../src/renderer/modules/experiments/pdash-plan.ts';
import { defaultSearchSpace, PRESETS } from '../../../../../src/shared/engine/index.ts';

describe('presets', () => {
  it("offers the engine's presets, from seconds to a GPU's budget", () => {
    expect([...PRESET_CHOICES]).toEqual(['smoke', 'quick', 'paper']);
    expect([...PRESET_CHOICES].sort()).toEqual(Object.keys(PRESETS).sort());
  });

  it("presetGrid() is the preset's grid, else the rank's default, as a copy", () => {
    expect(presetGrid('smoke', 2)).toEqual({ kernels: [3, 5], dilations: [1, 2] });
    expect(presetGrid('quick', 1)).toEqual(defaultSearchSpace(1));
    presetGrid('smoke', 2).kernels.push(99);
    expect(PRESETS.smoke.search.grid?.kernels).not.toContain(99);
  });
});

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

describe('parseBudget', () => {
  it("the preset's own fields give no overrides", () => {
    const parsed = parseBudget('quick', budgetFieldsOf('quick'));
    expect(parsed.overrides).toEqual({});
    expect(parsed.errors).toEqual({});
    expect(parsed.budget).toEqual(PRESETS.quick);
  });

  it('changed fields become overrides shaped as the engine configuration; an empty batch size is the task default', () => {
    const fields = { ...budgetFieldsOf('quick'), searchEpochs: '3', retrainEpochs: '30', retrainBatchSize: '' };
    const parsed = parseBudget('quick', fields);
    expect(parsed.overrides).toEqual({ search: { epochs: 3 }, retrain: { epochs: 30, batchSize: null } });
    expect(parsed.budget.retrain).toEqual({ ...PRESETS.quick.retrain, epochs: 30, batchSize: null });
  });

  it('names each bad field: retraining needs an epoch, HP search may be skipped', () => {
    const parsed = parseBudget('smoke', { ...budgetFieldsOf('smoke'), retrainEpochs: '0', hpEpochs: '0', searchBatchSize: 'x', searchEpochs: '' });
    expect(Object.keys(parsed.errors).sort()).toEqual(['retrainEpochs', 'searchBatchSize', 'searchEpochs']);
    expect(parsed.errors.retrainEpochs).toContain('at least 1');
    expect(parsed.overrides.hpSearch).toEqual({ epochs: 0 });
  });

  it("asks for more search epochs than the preset's warm-up, and takes 0 (alpha left at its initialisation)", () => {
    const one = parseBudget('quick', { ...budgetFieldsOf('quick'), searchEpochs: '1' });
    expect(one.errors.searchEpochs).toBe("Search epochs: more than the preset's 1 warm-up epoch (weights only), so that alpha learns; or 0 to keep alpha at its initialisation.");
    expect(one.budget.search.epochs).toBe(PRESETS.quick.search.epochs);
    const none = parseBudget('quick', { ...budgetFieldsOf('quick'), searchEpochs: '0' });
    expect(none.errors).toEqual({});
    expect(none.overrides).toEqual({ search: { epochs: 0 } });
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
  const smokeGrid = { kernels: [3, 5], dilations: [1, 2] };

  it('counts runs as methods × seeds and epochs per phase of each method from the budget', () => {
    const estimate = estimateCost({ methods: ['dash', 'backbone'], seeds: 3, budget: PRESETS.smoke, grid: smokeGrid, concurrency: 4, pdash: null });
    expect(estimate.runs).toBe(6);
    expect(estimate.patterns).toBe(4);
    expect(estimate.hp).toEqual({ trials: 2, epochsPerTrial: 1, epochs: 2 });
    expect(estimate.methods.map((m) => [m.method, m.searchEpochs, m.hpEpochs, m.retrainEpochs, m.epochs, m.runs])).toEqual([
      ['dash', 2, 2, 3, 7, 3],
      ['backbone', 0, 2, 3, 5, 3],
    ]);
    expect(estimate.epochs).toBe(3 * 7 + 3 * 5);
    expect(estimate.waves).toBe(2);
    expect(estimate.pdash).toBeNull();
  });

  it("P-DASH searches its rounds × epochs per round; the random baseline DASH's search budget; rows in the lab's method order", () => {
    const plan = { sizes: [4, 2, 1], rounds: 2, roundEpochs: 3, warmupEpochs: 0 };
    const estimate = estimateCost({ methods: ['random', 'pdash', 'dash'], seeds: 1, budget: PRESETS.smoke, grid: smokeGrid, concurrency: 1, pdash: plan });
    expect(estimate.methods.map((m) => [m.method, m.searchEpochs, m.epochs])).toEqual([
      ['dash', 2, 7],
      ['pdash', 6, 11],
      ['random', 2, 7],
    ]);
    expect(estimate.epochs).toBe(25);
    expect(estimate.pdash).toEqual(plan);
    // Without P-DASH among the methods the plan is not part of the estimate.
    expect(estimateCost({ methods: ['dash'], seeds: 1, budget: PRESETS.smoke, grid: smokeGrid, concurrency: 1, pdash: plan }).pdash).toBeNull();
  });

  it('a whole-experiment time needs a measured run of every chosen method, spread over the runs at a time', () => {
    const estimate = estimateCost({ methods: ['dash', 'pdash'], seeds: 2, budget: PRESETS.smoke, grid: smokeGrid, concurrency: 2, pdash: { sizes: [4, 2, 1], rounds: 2, roundEpochs: 1, warmupEpochs: 0 } });
    expect(measuredTotal(estimate, { dash: { runId: 1, seconds: 10 } })).toBeNull();
    expect(measuredTotal(estimate, { dash: { runId: 1, seconds: 10 }, pdash: { runId: 2, seconds: 8 } })).toBe((2 * 10 + 2 * 8) / 2);
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
    pdash: pdashFieldsOf('smoke'),
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

  it("sends P-DASH's rounds only with P-DASH, and only what differs from the preset", () => {
    const preset = buildExperimentRequest(form({ methods: ['dash', 'pdash'] }));
    expect(preset.ok && preset.request.pdash).toBeUndefined();
    const roundEpochs = buildExperimentRequest(form({ methods: ['dash', 'pdash'], pdash: { ...pdashFieldsOf('smoke'), roundEpochs: '4' } }));
    expect(roundEpochs.ok && roundEpochs.request.pdash).toEqual({ roundEpochs: 4 });
    const schedule = buildExperimentRequest(form({ methods: ['pdash'], pdash: { ...pdashFieldsOf('smoke'), mode: 'schedule', schedule: '4, 1' } }));
    expect(schedule.ok && schedule.request.pdash).toEqual({ schedule: [4, 1] });
    const rounds = buildExperimentRequest(form({ methods: ['pdash'], pdash: { ...pdashFieldsOf('smoke'), rounds: '1', keepFraction: '0.5' } }));
    expect(rounds.ok && rounds.request.pdash).toEqual({ rounds: 1 });
    // DASH alone: P-DASH's fields are not read, even when wrong.
    const dashOnly = buildExperimentRequest(form({ pdash: { ...pdashFieldsOf('smoke'), mode: 'schedule', schedule: '16,4,1' } }));
    expect(dashOnly.ok && dashOnly.request.pdash).toBeUndefined();
  });

  it("refuses a P-DASH schedule that does not start at the grid's kernels × dilations", () => {
    const built = buildExperimentRequest(form({ methods: ['pdash'], pdash: { ...pdashFieldsOf('smoke'), mode: 'schedule', schedule: '16,4,1' } }));
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.errors.pdashSchedule).toBe("The schedule starts at the search space's 4 patterns per layer (2 kernel sizes × 2 dilations): e.g. 4,2,1.");
  });

  it('collects every problem at once', () => {
    const built = buildExperimentRequest(form({ datasetId: null, methods: [], seedsText: 'x', grid: { kernels: [], dilations: [1] }, concurrencyText: '99', customBudget: true, budget: { ...budgetFieldsOf('smoke'), retrainEpochs: '' } }));
    expect(built.ok).toBe(false);
    if (!built.ok) expect(Object.keys(built.errors).sort()).toEqual(['concurrency', 'dataset', 'grid', 'methods', 'retrainEpochs', 'seeds']);
  });
});
