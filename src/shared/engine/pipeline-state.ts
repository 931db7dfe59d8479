/**
 * Where a run stands at an epoch boundary: the JSON half of a checkpoint, one state per resumable phase. Random
 * streams are derived from (seed, phase, epoch) labels, so no generator state is saved; the tensors a state
 * needs travel beside it (checkpoint.ts), under the prefixes each state names.
 */
import type { HpChoice } from './config.ts';
import type { KernelPattern, LayerSearchSpaces } from './search-space.ts';
import type { ArchitectureSpec } from './spec.ts';

/**
 * Supernet search (a P-DASH round when `round` is set); `nextEpoch` epochs of it are done. Tensors: `net/` and
 * `opt/` mid-search; at the start of a P-DASH round after the first, `carry/`: the surviving weights.
 */
export interface SearchState {
  phase: 'search';
  round: number | null;
  spaces: LayerSearchSpaces;
  nextEpoch: number;
}

/** One layer fixed by perturbation-based selection: its candidates' damage scores when it was decided. */
export interface LayerDecision {
  layer: number;
  /** Candidates in the layer's order, with metric and loss damage (null: not finite). */
  scores: { kernel: number; dilation: number; damage: number | null; lossDamage: number | null }[];
  chosen: number;
}

/**
 * Perturbation-based selection in progress (DARTS-PT): layers are fixed in `order`; the first `next` are done
 * (their `spaces` entry is the chosen pattern alone). Tensors: `net/`, the fine-tuned supernet.
 */
export interface SelectState {
  phase: 'select';
  round: number | null;
  spaces: LayerSearchSpaces;
  order: number[];
  next: number;
  decisions: LayerDecision[];
}

/** A random-baseline candidate that has been trained and scored. */
export interface RandomCandidateRecord {
  layers: KernelPattern[];
  /** Validation metric, or null when its training diverged. */
  value: number | null;
  flops: number;
}

/** The random baseline: `done` candidates of `count` are trained and scored (no tensors between candidates). */
export interface RandomSearchState {
  phase: 'random-search';
  count: number;
  done: RandomCandidateRecord[];
}

export interface HpTrialRecord {
  trial: number;
  hp: HpChoice;
  /** Validation metric after the trial, or null when it diverged. */
  value: number | null;
  diverged: boolean;
}

/** HP search on the chosen architecture; `current` is the trial in progress (absent between trials). Tensors: `net/`, `opt/`. */
export interface HpSearchState {
  phase: 'hp-search';
  spec: ArchitectureSpec;
  trials: HpTrialRecord[];
  current: { trial: number; nextEpoch: number } | null;
}

/**
 * Retraining; tensors: `net/`, `opt/`, and `best/`, the weights best on validation so far. At `nextEpoch` 0 (the
 * checkpoint written when HP search ends) none: retraining starts from the shared initialisation.
 */
export interface RetrainState {
  phase: 'retrain';
  spec: ArchitectureSpec;
  hp: HpChoice;
  hpValidation: number | null;
  nextEpoch: number;
  /** Best validation value so far and its epoch (its weights are stored under `best/`). */
  best: { value: number; epoch: number } | null;
}

export type PipelineState = SearchState | SelectState | RandomSearchState | HpSearchState | RetrainState;
