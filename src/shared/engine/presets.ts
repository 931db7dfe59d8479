/**
 * Budget presets. `paper` is DASH's reference budget (for a GPU); `quick` finishes in minutes on a laptop CPU
 * on a small task; `smoke` runs in seconds and exists for tests and for checking that a dataset loads and trains.
 * A custom budget is a preset plus overrides: `resolveConfig('quick', { retrain: { epochs: 30 } })`.
 */
import type { Preset } from '../contract/index.ts';
import { mergeConfig, validateConfig, type RunConfig, type RunConfigOverrides } from './config.ts';

const REFERENCE_HP_GRID = { lr: [0.1, 0.01, 0.001], dropout: [0, 0.05], weightDecay: [5e-4, 5e-6], momentum: [0.9, 0.99] };

const paper: RunConfig = {
  preset: 'paper',
  custom: false,
  backbone: null,
  baseChannels: null,
  search: {
    epochs: 100,
    batchSize: null,
    batchFraction: 0.2,
    stepsPerEpoch: null,
    warmupEpochs: 0,
    lrWeights: null,
    lrAlpha: null,
    momentum: 0.9,
    weightDecay: 5e-4,
    milestones: null,
    gamma: 0.2,
    clipNorm: 1,
    alphaGradScale: 100,
    fieldPenalty: null,
    temperature: 1,
    widthFactor: 1,
    grid: null,
    mixtureMethod: null,
  },
  selection: 'argmax',
  perturbation: { tuneEpochs: 5, tuneLrFactor: 0.1 },
  pdash: { rounds: 3, keepFraction: 0.5, schedule: null, roundEpochs: null },
  random: { samples: null, epochsPerSample: 10 },
  hpSearch: { epochs: 80, batchSize: null, grid: REFERENCE_HP_GRID, batchFraction: null, earlyExit: true, milestones: null, gamma: 0.2, clipNorm: null },
  retrain: { epochs: 200, batchSize: null, widthFactor: 4, milestones: null, gamma: 0.2, clipNorm: null, validateEvery: 1 },
  validationFraction: 0.1,
  limits: { train: null, validation: null, test: null },
  evalBatchSize: 256,
  checkpointEvery: 1,
};

const quick: RunConfig = {
  ...paper,
  preset: 'quick',
  // A budget in steps (docs/ALGORITHM.md section 13): DASH's normalised alpha gradient moves alpha a fixed distance
  // per step, so what decides is the number of alpha steps, not epochs. 8 epochs of 25 steps: 1 of weights only
  // (warm-up), then 175 alpha steps at lrAlpha 1 (DASH: ~5,000 steps at 0.05 on ECG), with the field penalty
  // scaled to batch 32 (null). dilation-grouped: measured ~6x faster than the automatic choice on wasm.
  search: { ...paper.search, epochs: 8, batchSize: 32, stepsPerEpoch: 25, warmupEpochs: 1, lrAlpha: 1, milestones: [], mixtureMethod: 'dilation-grouped' },
  perturbation: { ...paper.perturbation, tuneEpochs: 1 },
  random: { ...paper.random, epochsPerSample: 2 },
  // Two trials of 2 whole epochs, each ending annealed like the retrain (lr x 0.2 for its second epoch), so a high
  // lr is not judged by its noisy last steps and a low one is not rewarded for settling early.
  hpSearch: {
    ...paper.hpSearch,
    epochs: 2,
    batchSize: 32,
    grid: { lr: [0.1, 0.01], dropout: [0], weightDecay: [5e-4], momentum: [0.9] },
    batchFraction: 1,
    milestones: [1],
  },
  retrain: { ...paper.retrain, epochs: 8, batchSize: 32, widthFactor: 1, milestones: [5, 7] },
  limits: { train: 1024, validation: 256, test: 512 },
  evalBatchSize: 128,
};

const smoke: RunConfig = {
  ...paper,
  preset: 'smoke',
  search: { ...paper.search, epochs: 2, batchSize: 8, batchFraction: 0.5, milestones: [], grid: { kernels: [3, 5], dilations: [1, 2] } },
  perturbation: { ...paper.perturbation, tuneEpochs: 1 },
  // Its 4 patterns per layer allow two rounds: 4 -> 2 -> 1.
  pdash: { ...paper.pdash, rounds: 2 },
  random: { ...paper.random, epochsPerSample: 1 },
  hpSearch: {
    ...paper.hpSearch,
    epochs: 1,
    batchSize: 8,
    grid: { lr: [0.1, 0.01], dropout: [0], weightDecay: [5e-4], momentum: [0.9] },
    batchFraction: 1,
    milestones: [],
  },
  retrain: { ...paper.retrain, epochs: 3, batchSize: 8, widthFactor: 1, milestones: [2] },
  limits: { train: 48, validation: 16, test: 16 },
  evalBatchSize: 16,
};

export const PRESETS: Readonly<Record<Preset, RunConfig>> = { paper, quick, smoke };

/** A preset's configuration, optionally with overrides at any depth (a custom budget). */
export function resolveConfig(preset: Preset, overrides: RunConfigOverrides = {}): RunConfig {
  const base = PRESETS[preset];
  if (base === undefined) throw new Error(`config: unknown preset ${String(preset)}; choose smoke, quick or paper`);
  const config = mergeConfig(base, overrides);
  validateConfig(config);
  return config;
}
