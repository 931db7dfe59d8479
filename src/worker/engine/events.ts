/**
 * Events the engine emits while it runs. Plain JSON DTOs: they cross a process boundary (worker -> lab core) and
 * are stored as they are. Times are milliseconds of wall time measured by the engine.
 */
import type { KernelPattern } from './arch/search-space.ts';
import type { ArchitectureSpec } from './arch/spec.ts';
import type { MetricValue } from './metrics/task-metric.ts';
import type { DashConfig, HpChoice } from './search/config.ts';

export type PhaseName = 'search' | 'select' | 'hp-search' | 'retrain' | 'test';
/** The phases that train (and emit epoch events). */
export type TrainingPhase = 'search' | 'hp-search' | 'retrain';

export interface RunStartEvent {
  type: 'run-start';
  algorithm: 'dash';
  seed: number;
  config: DashConfig;
  /** Fingerprint of the resolved configuration; a checkpoint resumes only a run with the same one. */
  configHash: string;
  backbone: string;
  /** Samples per split after limits and holdout. */
  samples: { train: number; validation: number; test: number };
  /** Where a resumed run continues from, or null for a fresh run. */
  resumedFrom: { phase: TrainingPhase; epoch: number; trial: number | null } | null;
}

export interface PhaseStartEvent {
  type: 'phase-start';
  phase: PhaseName;
  /** P-DASH round (1-based); null outside rounds. */
  round: number | null;
  epochs: number;
  stepsPerEpoch: number;
  /** Optimiser steps the phase will take if it runs to the end (HP search: for the whole grid, before early exit). */
  totalSteps: number;
}

export interface PhaseEndEvent {
  type: 'phase-end';
  phase: PhaseName;
  round: number | null;
  /** Steps taken in this process (a resumed phase counts from where it resumed). */
  steps: number;
  wallMs: number;
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

export interface ArchitectureEvent {
  type: 'architecture';
  selection: 'argmax' | 'perturbation';
  spec: ArchitectureSpec;
  archId: string;
  /** Of the retrained network (retrain width), for one input sample. */
  parameters: number;
  flops: number;
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
   * Epochs of the phase (or of the HP trial) completed when it was written; for the checkpoints at phase
   * boundaries: the search's epochs ('select') or the trials run (HP search, trial null).
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
  | ArchitectureEvent
  | HpTrialEvent
  | HpChosenEvent
  | CheckpointEvent
  | ResultEvent;

export type EngineEventType = EngineEvent['type'];
