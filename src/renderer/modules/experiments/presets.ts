/**
 * The engine's budget presets as the new-experiment form shows them (epochs and batch sizes per phase, the
 * HP grid's size, sample limits, the search grid). A copy: the renderer cannot import the engine. A unit test
 * (test/unit/renderer/modules/experiments/presets.test.ts) compares it with src/worker/engine/presets.ts,
 * so the two cannot drift apart unnoticed.
 */
import type { ExperimentRequest } from '../../../shared/contract/index.ts';

export type PresetName = NonNullable<ExperimentRequest['preset']>;

export interface SearchGrid {
  kernels: number[];
  dilations: number[];
}

export interface PresetBudget {
  search: { epochs: number; batchSize: number | null; grid: SearchGrid | null };
  /** `trials`: configurations in the HP grid (the search may stop early, after a whole lr block brings nothing). */
  hpSearch: { epochs: number; batchSize: number | null; trials: number };
  retrain: { epochs: number; batchSize: number | null };
  /** Seeded subsets of each split; null: all samples. */
  limits: { train: number | null; validation: number | null; test: number | null };
  /** P-DASH without a schedule: this many rounds, each keeping this fraction of a layer's candidates. */
  pdash: { rounds: number; keepFraction: number };
  /** Perturbation-based selection: fine-tuning epochs after each layer it fixes. */
  perturbation: { tuneEpochs: number };
}

export const PRESET_NAMES: readonly PresetName[] = ['smoke', 'quick', 'paper'];

export const PRESET_BUDGETS: Readonly<Record<PresetName, PresetBudget>> = {
  smoke: {
    search: { epochs: 2, batchSize: 8, grid: { kernels: [3, 5], dilations: [1, 2] } },
    hpSearch: { epochs: 1, batchSize: 8, trials: 2 },
    retrain: { epochs: 3, batchSize: 8 },
    limits: { train: 48, validation: 16, test: 16 },
    // Its 4 patterns per layer allow two rounds: 4 -> 2 -> 1.
    pdash: { rounds: 2, keepFraction: 0.5 },
    perturbation: { tuneEpochs: 1 },
  },
  quick: {
    search: { epochs: 6, batchSize: 32, grid: null },
    hpSearch: { epochs: 2, batchSize: 32, trials: 3 },
    retrain: { epochs: 8, batchSize: 32 },
    limits: { train: 1024, validation: 256, test: 512 },
    pdash: { rounds: 3, keepFraction: 0.5 },
    perturbation: { tuneEpochs: 1 },
  },
  paper: {
    search: { epochs: 100, batchSize: null, grid: null },
    hpSearch: { epochs: 80, batchSize: null, trials: 24 },
    retrain: { epochs: 200, batchSize: null },
    limits: { train: null, validation: null, test: null },
    pdash: { rounds: 3, keepFraction: 0.5 },
    perturbation: { tuneEpochs: 5 },
  },
};

export const PRESET_SUMMARIES: Readonly<Record<PresetName, string>> = {
  smoke: 'Seconds: checks that a dataset loads and trains. Not a result.',
  quick: 'Minutes on a laptop CPU for a small task.',
  paper: "DASH's reference budgets (meant for a GPU).",
};

/** DASH's default search space by input rank (used when the preset names no grid). */
export const DEFAULT_GRIDS: Readonly<Record<1 | 2, SearchGrid>> = {
  1: { kernels: [3, 7, 11, 15, 19], dilations: [1, 3, 7, 15] },
  2: { kernels: [3, 5, 7, 9], dilations: [1, 3, 7, 15] },
};

/** The grid a run of this preset searches on data of this rank. */
export function presetGrid(preset: PresetName, rank: 1 | 2): SearchGrid {
  const grid = PRESET_BUDGETS[preset].search.grid ?? DEFAULT_GRIDS[rank];
  return { kernels: [...grid.kernels], dilations: [...grid.dilations] };
}
