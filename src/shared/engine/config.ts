/**
 * The configuration of a DASH run: budgets and hyperparameters of each phase. Fields left `null` take the
 * reference value for the task (DASH's choices), resolved once the dataset is known (see `resolveForTask`).
 */
import type { SearchSpaceGrid } from './search-space.ts';
import type { BackboneName } from './spec.ts';
import { Selection, type Preset } from '../contract/index.ts';
import { canonicalJson } from './canonical-json.ts';


/**
 * How a mixture conv is evaluated; all are exact (docs/ALGORITHM.md section 1), they differ only in cost. The numerics
 * live in the engine's ops/mixture-conv.ts; the names are vocabulary because a configuration chooses one.
 */
export type MixtureMethod = 'per-pattern' | 'dilation-grouped' | 'aggregated' | 'fft';

export const MIXTURE_METHODS: readonly MixtureMethod[] = ['per-pattern', 'dilation-grouped', 'aggregated', 'fft'];


export interface SearchPhaseConfig {
  epochs: number;
  /** null: 128 for 2-D classification, 10 for dense prediction, 1024 for sequences (DASH's batch sizes). */
  batchSize: number | null;
  /** Share of each epoch's shuffled batches used (DASH: the first 20%); ignored when stepsPerEpoch is set. */
  batchFraction: number;
  /**
   * Steps of every search epoch, drawn from successive shuffles of train: a budget in steps, which means the same
   * amount of alpha learning on a small and a large dataset (DASH's normalised alpha gradient moves alpha a fixed
   * distance per step). null: batchFraction of the batches (DASH's protocol).
   */
  stepsPerEpoch: number | null;
  /**
   * Epochs at the start of the search (P-DASH: of its first round) in which only the weights train and alpha stays
   * at its initialisation, so that alpha's first steps follow trained weights rather than random ones (the warm-up
   * of DARTS-family methods). DASH: 0.
   */
  warmupEpochs: number;
  /** null: 0.1 (0.01 for dense prediction). */
  lrWeights: number | null;
  /** null: 0.05 (0.005 for dense prediction). */
  lrAlpha: number | null;
  momentum: number;
  weightDecay: number;
  /** LR x gamma at these epochs; null: 60/120/160 for 2-D, 30/60/90/120/160 for 1-D. */
  milestones: number[] | null;
  gamma: number;
  /** Global-norm clipping of all gradients; null: none. */
  clipNorm: number | null;
  /** alpha's gradient is rescaled to norm 1/alphaGradScale. */
  alphaGradScale: number;
  /**
   * Field-size penalty coefficient added to alpha's normalised gradient. null: DASH's 1e-5 at DASH's batch size for
   * the task, scaled by sqrt(batch / that batch size): the normalised step's data signal shrinks with the batch's
   * gradient noise while the penalty does not, so a fixed 1e-5 at batch 32 outweighs the data (section 13).
   */
  fieldPenalty: number | null;
  /** Gumbel-softmax temperature. */
  temperature: number;
  /** WRN width factor of the supernet. */
  widthFactor: number;
  /** null: DASH's default grid for the input rank. */
  grid: SearchSpaceGrid | null;
  /** How mixture convs are evaluated (all exact); null: the ops module's per-layer cost-based choice. */
  mixtureMethod: MixtureMethod | null;
}

/** Perturbation-based selection (DARTS-PT): what happens after each layer is fixed to its chosen pattern. */
export interface PerturbationConfig {
  /** Epochs of supernet fine-tuning (weights only, search batches) after each layer is fixed; 0: none. */
  tuneEpochs: number;
  /** Fine-tuning learning rate as a share of the search's weight learning rate (DARTS-PT: 1/10). */
  tuneLrFactor: number;
}

/**
 * P-DASH (docs/ALGORITHM.md section 4). Each round searches the layers' current candidates, ranks them (by the
 * selection method) and keeps the best; the last round keeps one per layer. Candidate counts per round come from
 * `schedule` when set, otherwise from `rounds` and `keepFraction`: |P| -> ceil(|P| f) -> ... -> 1.
 */
export interface PdashConfig {
  /** Rounds when no schedule is given (P-DASH: 3, i.e. 16 -> 8 -> 4 -> 1). */
  rounds: number;
  /** Share of each layer's candidates kept after every round but the last. */
  keepFraction: number;
  /**
   * Candidates per layer searched in each round, then 1: e.g. [16, 4, 1] is two rounds (16 -> 4 -> 1). Must start
   * at the search space's size, decrease strictly and end at 1. null: derived from rounds and keepFraction.
   */
  schedule: number[] | null;
  /** Search epochs of every round; null: half of search.epochs (rounded up). */
  roundEpochs: number | null;
}

/**
 * The random baseline: architectures drawn uniformly per layer from the search space with the run's seed, each
 * trained briefly (search width, search optimiser) and scored on validation; the best goes on to HP search.
 */
export interface RandomSearchConfig {
  /**
   * Architectures to draw. null: as many as DASH's search compute under the same configuration pays for
   * (forward + backward FLOPs of every candidate's training and its validation pass, at least one).
   */
  samples: number | null;
  /** Training epochs of each candidate (search batch size and share of batches per epoch). */
  epochsPerSample: number;
}

export interface HpGrid {
  lr: number[];
  dropout: number[];
  weightDecay: number[];
  momentum: number[];
}

export interface HpSearchConfig {
  epochs: number;
  batchSize: number | null;
  grid: HpGrid;
  /** Share of train batches per epoch; null: DASH's rule by the number of train batches (0.2 ... 0.01). */
  batchFraction: number | null;
  /** Stop when a whole lr block brings no improvement over the best before it. */
  earlyExit: boolean;
  milestones: number[] | null;
  gamma: number;
  clipNorm: number | null;
}

export interface RetrainConfig {
  epochs: number;
  batchSize: number | null;
  /** WRN width factor of the retrained network (and of the HP-search runs). */
  widthFactor: number;
  milestones: number[] | null;
  gamma: number;
  clipNorm: number | null;
  /** Evaluate on validation every this many epochs (and after the last). */
  validateEvery: number;
}

export interface SampleLimits {
  train: number | null;
  validation: number | null;
  test: number | null;
}

export interface RunConfig {
  /** The budget preset this configuration starts from. */
  preset: Preset;
  /** True when overrides changed the preset (a custom budget). */
  custom: boolean;
  /** null: wrn for 2-D classification, wrn-dense for dense prediction, resnet1d for sequences. */
  backbone: BackboneName | null;
  /** resnet1d base width m; null: min(4^(classes div 10 + 1), 64), which is 4 for ECG's 4 classes. */
  baseChannels: number | null;
  search: SearchPhaseConfig;
  /** Final choice of one pattern per layer (DASH, P-DASH) and P-DASH's ranking for pruning. */
  selection: Selection;
  perturbation: PerturbationConfig;
  pdash: PdashConfig;
  random: RandomSearchConfig;
  hpSearch: HpSearchConfig;
  retrain: RetrainConfig;
  /** Share of train held out for validation when the dataset has no validation split. */
  validationFraction: number;
  /** Seeded subsets of each split (smoke and quick budgets); null: all samples. */
  limits: SampleLimits;
  evalBatchSize: number;
  /**
   * Write a checkpoint every this many epochs of any training loop, and every this many layers fixed by
   * perturbation-based selection (0: only at phase and round boundaries; the random baseline then writes none
   * between its candidates).
   */
  checkpointEvery: number;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object | null ? DeepPartial<NonNullable<T[K]>> | null : T[K] };

/** Overrides on top of a preset: any field, at any depth. Arrays and grids replace rather than merge. */
export type RunConfigOverrides = DeepPartial<RunConfig>;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function sameSettings(a: RunConfig, b: RunConfig): boolean {
  const settings = ({ preset: _preset, custom: _custom, ...rest }: RunConfig): unknown => rest;
  return canonicalJson(settings(a)) === canonicalJson(settings(b));
}

/** Merges overrides into a base config (returns a new object). `grid` objects replace wholesale. */
export function mergeConfig(base: RunConfig, overrides: RunConfigOverrides): RunConfig {
  const merge = (a: unknown, b: unknown, key: string): unknown => {
    if (b === undefined) return a;
    if (key === 'grid' || !isPlainObject(a) || !isPlainObject(b)) return b;
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) {
      if (!(k in a)) throw new Error(`config: unknown setting ${key ? `${key}.` : ''}${k}`);
      out[k] = merge(a[k], v, k);
    }
    return out;
  };
  const merged = merge(structuredClone(base), overrides, '') as RunConfig;
  // Custom means the budget differs from the preset's, not that overrides were given: an override that restates
  // the preset's value (the lab always sends the selection) leaves the preset's budget as it is.
  if (overrides.custom === undefined) merged.custom = base.custom || !sameSettings(base, merged);
  validateConfig(merged);
  return merged;
}

export function validateConfig(c: RunConfig): void {
  const fail = (what: string): never => {
    throw new Error(`config: ${what}`);
  };
  const posInt = (x: number, name: string): void => {
    if (!Number.isInteger(x) || x < 1) fail(`${name} must be a positive integer, got ${x}`);
  };
  const nonNegInt = (x: number, name: string): void => {
    if (!Number.isInteger(x) || x < 0) fail(`${name} must be a non-negative integer, got ${x}`);
  };
  const fraction = (x: number, name: string): void => {
    if (!(x > 0 && x <= 1)) fail(`${name} must be in (0, 1], got ${x}`);
  };
  const optPosInt = (x: number | null, name: string): void => {
    if (x !== null) posInt(x, name);
  };
  const positive = (x: number | null, name: string): void => {
    if (x !== null && !(x > 0)) fail(`${name} must be > 0, got ${x}`);
  };
  const milestones = (m: number[] | null, name: string): void => {
    if (m !== null && m.some((x, i) => !Number.isInteger(x) || x < 1 || (i > 0 && x <= m[i - 1]!))) fail(`${name} must be increasing positive integers, got [${m.join(', ')}]`);
  };
  const { search: s, hpSearch: h, retrain: r } = c;
  nonNegInt(s.epochs, 'search.epochs');
  optPosInt(s.batchSize, 'search.batchSize');
  fraction(s.batchFraction, 'search.batchFraction');
  optPosInt(s.stepsPerEpoch, 'search.stepsPerEpoch');
  nonNegInt(s.warmupEpochs, 'search.warmupEpochs');
  // 0 search epochs (alpha left at its initialisation, an ablation) is allowed whatever the warm-up.
  if (s.epochs > 0 && s.warmupEpochs >= s.epochs) fail(`search.warmupEpochs (${s.warmupEpochs}) must be less than search.epochs (${s.epochs}), or alpha never learns; lower the warm-up or raise the epochs`);
  positive(s.lrWeights, 'search.lrWeights');
  positive(s.lrAlpha, 'search.lrAlpha');
  if (!(s.momentum >= 0 && s.momentum < 1)) fail(`search.momentum must be in [0, 1), got ${s.momentum}`);
  if (!(s.weightDecay >= 0)) fail(`search.weightDecay must be >= 0, got ${s.weightDecay}`);
  milestones(s.milestones, 'search.milestones');
  positive(s.gamma, 'search.gamma');
  positive(s.clipNorm, 'search.clipNorm');
  positive(s.alphaGradScale, 'search.alphaGradScale');
  if (s.fieldPenalty !== null && !(s.fieldPenalty >= 0)) fail(`search.fieldPenalty must be >= 0 or null, got ${s.fieldPenalty}`);
  positive(s.temperature, 'search.temperature');
  posInt(s.widthFactor, 'search.widthFactor');
  if (s.mixtureMethod !== null && !MIXTURE_METHODS.includes(s.mixtureMethod)) fail(`search.mixtureMethod must be one of ${MIXTURE_METHODS.join(', ')} or null, got ${String(s.mixtureMethod)}`);
  if (!Selection.options.includes(c.selection)) fail(`selection must be one of ${Selection.options.join(', ')}, got ${String(c.selection)}`);
  nonNegInt(c.perturbation.tuneEpochs, 'perturbation.tuneEpochs');
  fraction(c.perturbation.tuneLrFactor, 'perturbation.tuneLrFactor');
  const p = c.pdash;
  posInt(p.rounds, 'pdash.rounds');
  if (!(p.keepFraction > 0 && p.keepFraction < 1)) fail(`pdash.keepFraction must be in (0, 1), got ${p.keepFraction}`);
  if (p.schedule !== null) {
    const sc = p.schedule;
    if (sc.length < 2 || sc.some((x, i) => !Number.isInteger(x) || x < 1 || (i > 0 && x >= sc[i - 1]!)) || sc.at(-1) !== 1) {
      fail(`pdash.schedule must list strictly decreasing candidate counts ending at 1, e.g. [16, 4, 1]; got [${sc.join(', ')}]`);
    }
  }
  optPosInt(p.roundEpochs, 'pdash.roundEpochs');
  optPosInt(c.random.samples, 'random.samples');
  posInt(c.random.epochsPerSample, 'random.epochsPerSample');
  nonNegInt(h.epochs, 'hpSearch.epochs');
  optPosInt(h.batchSize, 'hpSearch.batchSize');
  for (const [k, xs] of Object.entries(h.grid) as [keyof HpGrid, number[]][]) if (xs.length === 0) fail(`hpSearch.grid.${k} must not be empty`);
  h.grid.lr.forEach((x) => positive(x, 'hpSearch.grid.lr'));
  h.grid.dropout.forEach((x) => {
    if (!(x >= 0 && x < 1)) fail(`hpSearch.grid.dropout values must be in [0, 1), got ${x}`);
  });
  h.grid.momentum.forEach((x) => {
    if (!(x >= 0 && x < 1)) fail(`hpSearch.grid.momentum values must be in [0, 1), got ${x}`);
  });
  if (h.batchFraction !== null) fraction(h.batchFraction, 'hpSearch.batchFraction');
  milestones(h.milestones, 'hpSearch.milestones');
  positive(h.gamma, 'hpSearch.gamma');
  positive(h.clipNorm, 'hpSearch.clipNorm');
  posInt(r.epochs, 'retrain.epochs');
  optPosInt(r.batchSize, 'retrain.batchSize');
  posInt(r.widthFactor, 'retrain.widthFactor');
  milestones(r.milestones, 'retrain.milestones');
  positive(r.gamma, 'retrain.gamma');
  positive(r.clipNorm, 'retrain.clipNorm');
  posInt(r.validateEvery, 'retrain.validateEvery');
  optPosInt(c.baseChannels, 'baseChannels');
  if (!(c.validationFraction > 0 && c.validationFraction < 1)) fail(`validationFraction must be in (0, 1), got ${c.validationFraction}`);
  optPosInt(c.limits.train, 'limits.train');
  optPosInt(c.limits.validation, 'limits.validation');
  optPosInt(c.limits.test, 'limits.test');
  posInt(c.evalBatchSize, 'evalBatchSize');
  nonNegInt(c.checkpointEvery, 'checkpointEvery');
}

/**
 * Settings added after runs were first stored, with the value that reproduces how a run without them ran. A stored
 * configuration lacking one gets that value (`completeConfig`), and a setting at that value is left out of a run's
 * fingerprint (`withoutNeutralLaterSettings`), so a run created before the setting existed still resumes from its
 * checkpoint and still pools with runs of the same budget.
 */
const LATER_SEARCH_SETTINGS: ReadonlyArray<readonly [keyof SearchPhaseConfig, unknown]> = [
  ['stepsPerEpoch', null],
  ['warmupEpochs', 0],
];

/** A stored configuration with the settings added since it was stored filled in with their neutral values. */
export function completeConfig(config: RunConfig): RunConfig {
  const search: Record<string, unknown> = { ...config.search };
  for (const [key, neutral] of LATER_SEARCH_SETTINGS) if (!(key in search)) search[key] = neutral;
  return { ...config, search: search as unknown as SearchPhaseConfig };
}

/** The configuration without the later settings that are at their neutral value (for fingerprints and grouping). */
export function withoutNeutralLaterSettings(config: RunConfig): Omit<RunConfig, 'search'> & { search: Partial<SearchPhaseConfig> } {
  const search: Partial<SearchPhaseConfig> = { ...config.search };
  for (const [key, neutral] of LATER_SEARCH_SETTINGS) if (search[key] === neutral || !(key in search)) delete search[key];
  return { ...config, search };
}

/** HP configurations in DASH's order: lr-major, then dropout, weight decay, momentum. */
export function hpConfigurations(grid: HpGrid): HpChoice[] {
  const out: HpChoice[] = [];
  for (const lr of grid.lr) for (const dropout of grid.dropout) for (const weightDecay of grid.weightDecay) for (const momentum of grid.momentum) out.push({ lr, dropout, weightDecay, momentum });
  return out;
}

export interface HpChoice {
  lr: number;
  dropout: number;
  weightDecay: number;
  momentum: number;
}
