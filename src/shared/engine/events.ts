/**
 * Events the engine emits while it runs. Plain JSON DTOs: they cross a process boundary (worker -> lab core) and
 * are stored as they are. Times are milliseconds of wall time measured by the engine.
 */
import type { KernelPattern } from './search-space.ts';
import type { ArchitectureSpec } from './spec.ts';
import type { MetricValue } from './metrics.ts';
import type { Method, Phase, Selection, TrainingPhase } from '../contract/index.ts';
import type { RunConfig, HpChoice } from './config.ts';


export interface RunStartEvent {
  type: 'run-start';
  /** The method the run executes. */
  algorithm: Method;
  seed: number;
  config: RunConfig;
  /** Fingerprint of the resolved configuration; a checkpoint resumes only a run with the same one. */
  configHash: string;
  backbone: string;
  /** Samples per split after limits and holdout. */
  samples: { train: number; validation: number; test: number };
  /**
   * Where a resumed run continues from, or null for a fresh run. 'select': in the middle of perturbation-based
   * selection (`epoch` counts the layers already fixed). `trial`: HP trial or random-baseline candidate.
   */
  resumedFrom: { phase: TrainingPhase | 'select'; round: number | null; epoch: number; trial: number | null } | null;
}

export interface PhaseStartEvent {
  type: 'phase-start';
  phase: Phase;
  /** P-DASH round (1-based); null outside rounds. */
  round: number | null;
  epochs: number;
  stepsPerEpoch: number;
  /** Optimiser steps the phase will take if it runs to the end (HP search: for the whole grid, before early exit). */
  totalSteps: number;
}

export interface PhaseEndEvent {
  type: 'phase-end';
  phase: Phase;
  round: number | null;
  /** Steps taken in this process (a resumed phase counts from where it resumed). */
  steps: number;
  wallMs: number;
  /**
   * Estimated floating-point operations spent in this process on the phase: 3 forward passes per training sample
   * (forward, input and weight gradients), 1 per evaluated sample; supernets cost their whole mixture (arch/cost.ts).
   */
  flops: number;
}

export interface EpochEvent {
  type: 'epoch';
  phase: TrainingPhase;
  round: number | null;
  /** HP-search trial index (0-based) or null. */
  trial: number | null;
  /** 0-based. */
  epoch: number;
  epochs: number;
  steps: number;
  /** Learning rate of the weights in this epoch (after the schedule). */
  lr: number;
  /** Mean training loss per sample over the epoch's batches. */
  trainLoss: number;
  /** Validation metric when evaluated this epoch. */
  validation: MetricValue | null;
  wallMs: number;
}

export interface LayerAlphaSnapshot {
  layer: number;
  name: string;
  patterns: KernelPattern[];
  alpha: number[];
  /** softmax(alpha), the noise-free ranking DASH selects by. */
  softmax: number[];
}

export interface AlphaEvent {
  type: 'alpha';
  round: number | null;
  epoch: number;
  layers: LayerAlphaSnapshot[];
}

/** How the architecture was chosen: a selection over a searched supernet, or a baseline's own rule. */
export type ArchitectureSource = Selection | 'backbone' | 'random';

export interface ArchitectureEvent {
  type: 'architecture';
  selection: ArchitectureSource;
  spec: ArchitectureSpec;
  archId: string;
  /** Of the retrained network (retrain width), for one input sample. */
  parameters: number;
  flops: number;
}

export interface PatternScore {
  kernel: number;
  dilation: number;
  /**
   * argmax: softmax(alpha), noise-free. perturbation: the damage of removing the pattern, i.e. the validation
   * metric with its coefficient set to 0 minus the metric without (larger = removal hurts more); ties are ranked
   * by the same damage measured on the validation loss. null if not finite.
   */
  score: number | null;
}

export interface RoundLayer {
  layer: number;
  name: string;
  /** The layer's candidates of this round, best first. */
  ranking: PatternScore[];
  /** Candidates of the next round (the last round and DASH: the one chosen pattern). */
  kept: KernelPattern[];
  pruned: KernelPattern[];
}

/**
 * After each P-DASH round: per layer, how the round's candidates ranked and which survived. DASH emits one with
 * round null for its final selection.
 */
export interface RoundEvent {
  type: 'round';
  round: number | null;
  /** Total rounds of the run (1 for DASH). */
  rounds: number;
  selection: Selection;
  layers: RoundLayer[];
}

/** The random baseline: one drawn architecture, after its short training and validation. */
export interface RandomCandidateEvent {
  type: 'random-candidate';
  /** 0-based. */
  candidate: number;
  candidates: number;
  /** The drawn pattern of every searchable layer. */
  layers: KernelPattern[];
  /** Validation metric after training; null when the training diverged. */
  validation: MetricValue | null;
  diverged: boolean;
  flops: number;
  wallMs: number;
}

export interface HpTrialEvent {
  type: 'hp-trial';
  trial: number;
  trials: number;
  hp: HpChoice;
  /** Validation metric after the trial's last epoch (Infinity-free: a diverged trial reports `diverged`). */
  validation: MetricValue | null;
  diverged: boolean;
  wallMs: number;
}

export interface HpChosenEvent {
  type: 'hp-chosen';
  hp: HpChoice;
  validation: MetricValue | null;
  trialsRun: number;
  /** True when the grid stopped early because a whole lr block did not improve. */
  earlyExit: boolean;
}

export interface CheckpointEvent {
  type: 'checkpoint';
  phase: TrainingPhase | 'select';
  round: number | null;
  trial: number | null;
  /**
   * Epochs of the phase (or of the HP trial or random candidate, `trial`) completed when it was written; for the
   * checkpoints at phase boundaries: the search's (or the round's) epochs ('select', also after P-DASH prunes a
   * round) or the trials run (HP search, trial null); during perturbation-based selection, the layers fixed.
   */
  epoch: number;
  /** Bytes of tensor data it holds. */
  tensorBytes: number;
}

export interface ResultEvent {
  type: 'result';
  /** The test metric, evaluated once, with the checkpoint chosen on validation. */
  metric: MetricValue;
  validation: MetricValue | null;
  /** Retrain epoch (0-based) whose weights were tested. */
  bestEpoch: number;
  archId: string;
  spec: ArchitectureSpec;
  hp: HpChoice;
  parameters: number;
  flops: number;
  wallMs: number;
}

export type EngineEvent =
  | RunStartEvent
  | PhaseStartEvent
  | PhaseEndEvent
  | EpochEvent
  | AlphaEvent
  | RoundEvent
  | RandomCandidateEvent
  | ArchitectureEvent
  | HpTrialEvent
  | HpChosenEvent
  | CheckpointEvent
  | ResultEvent;

export type EngineEventType = EngineEvent['type'];
