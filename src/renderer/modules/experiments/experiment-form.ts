/**
 * The new-experiment form's rules, apart from its template: the presets it offers, seeds as typed, custom
 * budgets as the contract's `overrides`, the search grid, P-DASH's rounds (pdash-plan.ts), the cost estimate per
 * method, and the request it sends. Budgets are the engine vocabulary's own presets and configuration
 * (src/shared/engine), so what the form estimates is what the runs will be configured with.
 */
import { Preset, type BackendName, type ExperimentRequest, type Method } from '../../../shared/contract/index.ts';
import { defaultSearchSpace, hpConfigurations, PRESETS, resolveConfig, type Outcome, type PdashPlan, type RunConfig, type RunConfigOverrides, type SearchSpaceGrid } from '../../../shared/engine/index.ts';
import { METHODS } from './methods.ts';
import { parsePdash, type PdashField, type PdashFields } from './pdash-plan.ts';

export const MAX_SEED = 2 ** 31 - 1;
export const MAX_SEEDS = 100;

// ---- presets ----

/** The presets in the order the form offers them: the contract's, from seconds to a GPU's budget. */
export const PRESET_CHOICES: readonly Preset[] = Preset.options;

export const PRESET_SUMMARIES: Readonly<Record<Preset, string>> = {
  smoke: 'Seconds: checks that a dataset loads and trains. Not a result.',
  quick: 'Minutes on a laptop CPU for a small task.',
  paper: "DASH's reference budgets (meant for a GPU).",
};

/** The grid a run of this preset searches on data of this rank (its own, else DASH's default), as a copy to edit. */
export function presetGrid(preset: Preset, rank: 1 | 2): SearchSpaceGrid {
  const grid = PRESETS[preset].search.grid ?? defaultSearchSpace(rank);
  return { kernels: [...grid.kernels], dilations: [...grid.dilations] };
}

/** "0,1,2", "0-4" or a mix ("0-2, 7"); each seed once, at most 100. */
export function parseSeeds(text: string): Outcome<number[]> {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (parts.length === 0) return { ok: false, error: 'Give at least one seed, e.g. 0,1,2.' };
  const seeds: number[] = [];
  for (const part of parts) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range !== null) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (to < from) return { ok: false, error: `The range ${part} runs backwards; write it as ${to}-${from}.` };
      if (to - from + 1 > MAX_SEEDS) return { ok: false, error: `The range ${part} has more than ${MAX_SEEDS} seeds.` };
      for (let seed = from; seed <= to; seed++) seeds.push(seed);
    } else if (/^\d+$/.test(part)) {
      seeds.push(Number(part));
    } else {
      return { ok: false, error: `“${part}” is not a seed: seeds are whole numbers from 0, separated by commas (ranges like 0-4 work too).` };
    }
  }
  const tooLarge = seeds.find((seed) => seed > MAX_SEED);
  if (tooLarge !== undefined) return { ok: false, error: `Seed ${tooLarge} is too large; seeds go up to ${MAX_SEED}.` };
  const repeated = seeds.find((seed, index) => seeds.indexOf(seed) !== index);
  if (repeated !== undefined) return { ok: false, error: `Seed ${repeated} is given twice; each seed runs once.` };
  if (seeds.length > MAX_SEEDS) return { ok: false, error: `${seeds.length} seeds: at most ${MAX_SEEDS} per experiment.` };
  return { ok: true, value: seeds };
}

// ---- custom budget ----

/** The budget fields as the inputs hold them (text; an empty batch size means the task's default). */
export interface BudgetFields {
  searchEpochs: string;
  searchBatchSize: string;
  hpEpochs: string;
  hpBatchSize: string;
  retrainEpochs: string;
  retrainBatchSize: string;
}

export type BudgetField = keyof BudgetFields;

export function budgetFieldsOf(preset: Preset): BudgetFields {
  const budget = PRESETS[preset];
  const text = (value: number | null): string => (value === null ? '' : String(value));
  return {
    searchEpochs: text(budget.search.epochs),
    searchBatchSize: text(budget.search.batchSize),
    hpEpochs: text(budget.hpSearch.epochs),
    hpBatchSize: text(budget.hpSearch.batchSize),
    retrainEpochs: text(budget.retrain.epochs),
    retrainBatchSize: text(budget.retrain.batchSize),
  };
}

/** The engine's rules for each field: epochs may be 0 where a phase can be skipped, retraining needs one. */
const fieldRules: Record<BudgetField, { min: number; optional: boolean; what: string }> = {
  searchEpochs: { min: 0, optional: false, what: 'Search epochs' },
  searchBatchSize: { min: 1, optional: true, what: 'Search batch size' },
  hpEpochs: { min: 0, optional: false, what: 'HP-search epochs' },
  hpBatchSize: { min: 1, optional: true, what: 'HP-search batch size' },
  retrainEpochs: { min: 1, optional: false, what: 'Retrain epochs' },
  retrainBatchSize: { min: 1, optional: true, what: 'Retrain batch size' },
};

/** The phases whose epochs and batch sizes the form sets. */
type BudgetOverrides = Partial<Record<'search' | 'hpSearch' | 'retrain', { epochs?: number; batchSize?: number | null }>>;

export interface ParsedBudget {
  /** The configuration the runs will have (the preset with the fields applied), for the estimate. */
  budget: RunConfig;
  /** Only the settings that differ from the preset, shaped as the engine's configuration. */
  overrides: BudgetOverrides;
  errors: Partial<Record<BudgetField, string>>;
}

export function parseBudget(preset: Preset, fields: BudgetFields): ParsedBudget {
  const base = PRESETS[preset];
  const errors: Partial<Record<BudgetField, string>> = {};
  const read = (field: BudgetField, fallback: number | null): number | null => {
    const rule = fieldRules[field];
    const text = fields[field].trim();
    if (text === '') {
      if (rule.optional) return null;
      errors[field] = `${rule.what}: give a whole number.`;
      return fallback;
    }
    // Past 2^53 a number is no longer a whole number the engine's configuration accepts.
    if (!/^\d+$/.test(text) || Number(text) < rule.min || !Number.isSafeInteger(Number(text))) {
      errors[field] = `${rule.what} must be a whole number of at least ${rule.min}.`;
      return fallback;
    }
    return Number(text);
  };
  let searchEpochs = read('searchEpochs', base.search.epochs) ?? base.search.epochs;
  const warmup = base.search.warmupEpochs;
  if (errors.searchEpochs === undefined && searchEpochs > 0 && searchEpochs <= warmup) {
    errors.searchEpochs = `Search epochs: more than the preset's ${warmup} warm-up epoch${warmup === 1 ? '' : 's'} (weights only), so that alpha learns; or 0 to keep alpha at its initialisation.`;
    searchEpochs = base.search.epochs;
  }
  const searchBatchSize = read('searchBatchSize', base.search.batchSize);
  const hpEpochs = read('hpEpochs', base.hpSearch.epochs) ?? base.hpSearch.epochs;
  const hpBatchSize = read('hpBatchSize', base.hpSearch.batchSize);
  const retrainEpochs = read('retrainEpochs', base.retrain.epochs) ?? base.retrain.epochs;
  const retrainBatchSize = read('retrainBatchSize', base.retrain.batchSize);

  const overrides: BudgetOverrides = {};
  const set = (section: keyof BudgetOverrides, key: 'epochs' | 'batchSize', value: number | null, preset: number | null): void => {
    if (value === preset) return;
    overrides[section] = { ...(overrides[section] ?? {}), [key]: value };
  };
  set('search', 'epochs', searchEpochs, base.search.epochs);
  set('search', 'batchSize', searchBatchSize, base.search.batchSize);
  set('hpSearch', 'epochs', hpEpochs, base.hpSearch.epochs);
  set('hpSearch', 'batchSize', hpBatchSize, base.hpSearch.batchSize);
  set('retrain', 'epochs', retrainEpochs, base.retrain.epochs);
  set('retrain', 'batchSize', retrainBatchSize, base.retrain.batchSize);

  // A wrong field falls back to the preset's value above, so the overrides always hold values the engine accepts.
  return { budget: resolveConfig(preset, overrides satisfies RunConfigOverrides), overrides, errors };
}

// ---- search grid ----

export const MAX_KERNEL = 63;
export const MAX_DILATION = 64;

export function checkKernel(kernel: number): string | null {
  if (!Number.isInteger(kernel) || kernel < 1 || kernel > MAX_KERNEL) return `Kernel sizes are whole numbers from 1 to ${MAX_KERNEL}.`;
  if (kernel % 2 === 0) return `Kernel sizes are odd (so that a kernel has a centre); ${kernel} is even.`;
  return null;
}

export function checkDilation(dilation: number): string | null {
  if (!Number.isInteger(dilation) || dilation < 1 || dilation > MAX_DILATION) return `Dilations are whole numbers from 1 to ${MAX_DILATION}.`;
  return null;
}

export function sameGrid(a: SearchSpaceGrid, b: SearchSpaceGrid): boolean {
  const same = (x: number[], y: number[]): boolean => x.length === y.length && [...x].sort((p, q) => p - q).every((v, i) => v === [...y].sort((p, q) => p - q)[i]);
  return same(a.kernels, b.kernels) && same(a.dilations, b.dilations);
}

// ---- the estimate ----

export interface MethodCost {
  method: Method;
  /**
   * Search epochs of one run: DASH's supernet epochs; P-DASH's rounds × epochs per round; for the random baseline,
   * DASH's (its candidates train within DASH's search compute); none for the backbone.
   */
  searchEpochs: number;
  /** False for P-DASH while its rounds are not set (its search is then counted as DASH's). */
  planned: boolean;
  hpEpochs: number;
  retrainEpochs: number;
  /** At most this many epochs per run (the HP search may stop early). */
  epochs: number;
  runs: number;
}

export interface CostEstimate {
  runs: number;
  seeds: number;
  /** Candidate (kernel, dilation) patterns per searchable layer. */
  patterns: number;
  hp: { trials: number; epochsPerTrial: number; epochs: number };
  retrainEpochs: number;
  /** One row per chosen method, in the lab's method order. */
  methods: MethodCost[];
  /** P-DASH's rounds, when P-DASH is chosen and its fields are right. */
  pdash: PdashPlan | null;
  /** Every run's epochs, in all. */
  epochs: number;
  /** Runs at a time, and the number of rounds of runs that makes. */
  concurrency: number;
  waves: number;
}

function searchEpochsOf(method: Method, budget: RunConfig, pdash: PdashPlan | null): number {
  switch (method) {
    case 'dash':
    case 'random':
      return budget.search.epochs;
    case 'pdash':
      return pdash === null ? budget.search.epochs : pdash.warmupEpochs + pdash.rounds * pdash.roundEpochs;
    case 'backbone':
      return 0;
  }
}

export function estimateCost(options: { methods: readonly Method[]; seeds: number; budget: RunConfig; grid: SearchSpaceGrid; concurrency: number; pdash: PdashPlan | null }): CostEstimate {
  const { budget, seeds } = options;
  // Every configuration of the HP grid (the search may stop early, after a whole lr block brings nothing).
  const hpTrials = hpConfigurations(budget.hpSearch.grid).length;
  const hpEpochs = hpTrials * budget.hpSearch.epochs;
  const methods = METHODS.filter((method) => options.methods.includes(method)).map((method): MethodCost => {
    const searchEpochs = searchEpochsOf(method, budget, options.pdash);
    const planned = method !== 'pdash' || options.pdash !== null;
    return { method, searchEpochs, planned, hpEpochs, retrainEpochs: budget.retrain.epochs, epochs: searchEpochs + hpEpochs + budget.retrain.epochs, runs: seeds };
  });
  const runs = methods.length * seeds;
  const concurrency = Math.max(1, options.concurrency);
  return {
    runs,
    seeds,
    patterns: options.grid.kernels.length * options.grid.dilations.length,
    hp: { trials: hpTrials, epochsPerTrial: budget.hpSearch.epochs, epochs: hpEpochs },
    retrainEpochs: budget.retrain.epochs,
    methods,
    pdash: options.methods.includes('pdash') ? options.pdash : null,
    epochs: methods.reduce((sum, m) => sum + m.epochs * m.runs, 0),
    concurrency,
    waves: Math.ceil(runs / concurrency),
  };
}

/** A finished run's wall time, standing for its method in the estimate. */
export interface MeasuredRun {
  runId: number;
  seconds: number;
}

/**
 * Wall time of the whole experiment from one measured run per method, when every chosen method has one: each
 * method's time × its runs, spread over the runs at a time.
 */
export function measuredTotal(estimate: CostEstimate, measured: Partial<Record<Method, MeasuredRun>>): number | null {
  if (estimate.methods.length === 0 || estimate.methods.some((m) => measured[m.method] === undefined)) return null;
  const total = estimate.methods.reduce((sum, m) => sum + (measured[m.method]?.seconds ?? 0) * m.runs, 0);
  return total / Math.min(estimate.concurrency, Math.max(1, estimate.runs));
}

// ---- the request ----

export interface ExperimentForm {
  name: string;
  datasetId: number | null;
  methods: Method[];
  seedsText: string;
  preset: Preset;
  customBudget: boolean;
  budget: BudgetFields;
  /** The grid shown; sent only when it differs from the preset's (so the preset's own grid stays the default). */
  grid: SearchSpaceGrid;
  presetGrid: SearchSpaceGrid;
  selection: 'argmax' | 'perturbation';
  /** P-DASH's rounds; read only when P-DASH is among the methods. */
  pdash: PdashFields;
  concurrencyText: string;
  /** 'auto': the fastest backend the lab's probe measured; otherwise that backend for every run. Absent: auto. */
  backend?: 'auto' | BackendName;
}

export type FormErrors = Partial<Record<'dataset' | 'methods' | 'seeds' | 'grid' | 'concurrency' | BudgetField | PdashField, string>>;

export function parseConcurrency(text: string): Outcome<number | undefined> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > 16) return { ok: false, error: 'Runs at once: a whole number from 1 to 16.' };
  return { ok: true, value: Number(trimmed) };
}

/** The request the form would send, or what is wrong with it, field by field. */
export function buildExperimentRequest(form: ExperimentForm): { ok: true; request: ExperimentRequest } | { ok: false; errors: FormErrors } {
  const errors: FormErrors = {};
  if (form.datasetId === null) errors.dataset = 'Choose a dataset.';
  if (form.methods.length === 0) errors.methods = 'Choose at least one method.';
  const seeds = parseSeeds(form.seedsText);
  if (!seeds.ok) errors.seeds = seeds.error;
  if (form.grid.kernels.length === 0 || form.grid.dilations.length === 0) errors.grid = 'The search space needs at least one kernel size and one dilation.';
  const concurrency = parseConcurrency(form.concurrencyText);
  if (!concurrency.ok) errors.concurrency = concurrency.error;
  const budget = form.customBudget ? parseBudget(form.preset, form.budget) : null;
  if (budget !== null) Object.assign(errors, budget.errors);
  const { epochs, warmupEpochs } = (budget?.budget ?? PRESETS[form.preset]).search;
  const pdash = form.methods.includes('pdash') && errors.grid === undefined ? parsePdash(form.pdash, { preset: form.preset, grid: form.grid, search: { epochs, warmupEpochs } }) : null;
  if (pdash !== null) Object.assign(errors, pdash.errors);
  if (Object.keys(errors).length > 0 || form.datasetId === null || !seeds.ok || !concurrency.ok) return { ok: false, errors };

  const request: ExperimentRequest = {
    dataset: form.datasetId,
    methods: [...form.methods],
    seeds: seeds.value,
    preset: form.preset,
    selection: form.selection,
  };
  const name = form.name.trim();
  if (name !== '') request.name = name;
  if (!sameGrid(form.grid, form.presetGrid)) {
    request.kernels = [...form.grid.kernels].sort((a, b) => a - b);
    request.dilations = [...form.grid.dilations].sort((a, b) => a - b);
  }
  if (budget !== null && Object.keys(budget.overrides).length > 0) request.overrides = budget.overrides;
  if (pdash?.request !== undefined) request.pdash = pdash.request;
  if (concurrency.value !== undefined) request.concurrency = concurrency.value;
  if (form.backend !== undefined && form.backend !== 'auto') request.backend = form.backend;
  return { ok: true, request };
}
