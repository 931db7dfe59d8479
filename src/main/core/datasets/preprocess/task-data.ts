/**
 * What the dataset readers and the built-in generators produce, in the form the engine consumes
 * (src/worker/engine/data/dataset.ts): per-split flat, row-major typed arrays, channels-last sample shapes,
 * the metric and, for dense regression, the target normalisation the stored targets carry.
 */
import type { MetricDirection, MetricName, TaskKind } from '../../../../shared/engine/index.ts';

export type { MetricDirection, MetricName, TaskKind };

export interface SplitData {
  /** n * prod(xShape) values, sample-major. */
  x: Float32Array;
  /** Classification: n labels 0..classes-1. Dense regression: n * prod(yShape) values. */
  y: Float32Array | Int32Array;
  n: number;
  /** The source record each sample was cut from (ECG windows -> recording), when samples share records. */
  groups?: Int32Array;
}

export interface TaskSplits {
  train: SplitData;
  val: SplitData;
  test: SplitData;
}

/** Element-wise normalisation: encoded = (v - mean) / (std + eps); mean and std have one sample's length. */
export interface PointwiseNormalization {
  mean: Float32Array;
  std: Float32Array;
  eps: number;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface TaskData {
  kind: TaskKind;
  splits: TaskSplits;
  /** One sample's input shape, channels last: [L, C] (1-D) or [H, W, C] (2-D). */
  xShape: number[];
  /** One sample's target shape: [] for a class label, [H, W, C] for dense regression. */
  yShape: number[];
  /** Class names, index = label (classification). */
  classes?: string[];
  metric: { name: MetricName; direction: MetricDirection };
  /** Dense regression: the stored targets are normalised with this (train statistics); metrics undo it. */
  targetNormalization?: PointwiseNormalization;
  /** Normalisation already applied to the inputs (train statistics), for the record and for new data. */
  inputNormalization?: PointwiseNormalization & { channels: number[] };
  /** What was read and how it was processed, for the dataset's page and its stored metadata. */
  details: Record<string, JsonValue>;
}
