/**
 * What the engine needs from a dataset: the task, and train/validation/test splits, each either tensors in memory
 * or a batch reader that produces any requested samples (so that larger-than-memory datasets stream from disk).
 * Inputs are channels-last: [L, C] per sample for sequences, [H, W, C] for images and fields.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MetricName } from '../metrics/task-metric.ts';

export type TaskKind = 'classification' | 'dense-regression';

export interface TaskSpec {
  kind: TaskKind;
  /** How results are scored; see metrics/task-metric.ts. */
  metric: MetricName;
  /** One sample's input shape, channels last: [L, C] (1-D) or [H, W, C] (2-D). */
  inputShape: number[];
  /** Classification: number of classes; labels are integers 0..numClasses-1. */
  numClasses?: number;
  /** Dense regression: one sample's target shape, [H, W] or [H, W, channels]. */
  targetShape?: number[];
}

/** Samples of a split as tensors: x [N, ...inputShape]; y [N] int32 labels or [N, ...targetShape] float32. */
export interface InMemorySplit {
  x: tf.Tensor;
  y: tf.Tensor;
}

/** A batch as flat row-major arrays: x has n * prod(inputShape) values; y has n labels or n * prod(targetShape) values. */
export interface SampleBatch {
  x: Float32Array;
  y: Float32Array | Int32Array;
}

/** Reads any samples by index, for splits that should not (or cannot) be held in memory as tensors. */
export interface BatchReader {
  readonly size: number;
  batch(indices: Int32Array): SampleBatch | Promise<SampleBatch>;
}

export type SplitSource = InMemorySplit | BatchReader;

/**
 * Pointwise (or scalar) target normalisation that training targets carry; metrics undo it:
 * y = y_normalised * (std + eps) + mean, element-wise over one sample's target (length prod(targetShape), or 1).
 */
export interface TargetNormalization {
  mean: Float32Array;
  std: Float32Array;
  eps: number;
}

export interface DashDataset {
  task: TaskSpec;
  train: SplitSource;
  /** Held-out data for HP selection and checkpoint choice; when absent, a seeded share of train is held out. */
  validation?: SplitSource;
  /** Used once, for the final result. */
  test: SplitSource;
  targetNormalization?: TargetNormalization;
}

export function taskRank(task: TaskSpec): 1 | 2 {
  const r = task.inputShape.length - 1;
  if (r !== 1 && r !== 2) throw new Error(`task: inputShape must be [L, C] or [H, W, C], got [${task.inputShape.join(', ')}]`);
  return r;
}

export function validateTask(task: TaskSpec): void {
  taskRank(task);
  if (task.inputShape.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`task: inputShape must hold positive integers, got [${task.inputShape.join(', ')}]`);
  if (task.kind === 'classification') {
    if (task.numClasses === undefined || !Number.isInteger(task.numClasses) || task.numClasses < 2) {
      throw new Error(`task: classification needs numClasses >= 2, got ${String(task.numClasses)}`);
    }
    if (task.metric === 'relative-l2') throw new Error('task: relative-l2 is a regression metric; classification uses error or one-minus-macro-f1');
  } else {
    if (task.metric !== 'relative-l2') throw new Error(`task: dense regression is scored by relative-l2, got ${task.metric}`);
    if (taskRank(task) !== 2) throw new Error('task: dense regression is supported for 2-D inputs only');
    const t = task.targetShape;
    if (t === undefined || t.length < 2 || t.length > 3 || t[0] !== task.inputShape[0] || t[1] !== task.inputShape[1]) {
      throw new Error(`task: dense regression needs targetShape [H, W] or [H, W, C] matching the input's [H, W], got ${t === undefined ? 'none' : `[${t.join(', ')}]`}`);
    }
  }
}

/** Output channels of a dense-regression target. */
export function targetChannels(task: TaskSpec): number {
  const t = task.targetShape ?? [];
  return t.length === 3 ? t[2]! : 1;
}

/** Reads batches of one split as tensors the caller owns. */
export interface SplitReader {
  readonly size: number;
  read(indices: Int32Array): Promise<{ x: tf.Tensor; y: tf.Tensor }>;
}

export function isInMemorySplit(source: SplitSource): source is InMemorySplit {
  return (source as InMemorySplit).x instanceof tf.Tensor;
}

export function splitReader(source: SplitSource, task: TaskSpec, label: string): SplitReader {
  const sampleSize = task.inputShape.reduce((a, b) => a * b, 1);
  const targetShape = task.kind === 'classification' ? [] : task.targetShape!;
  const targetSize = targetShape.reduce((a, b) => a * b, 1);
  if (isInMemorySplit(source)) {
    const { x, y } = source;
    const n = x.shape[0]!;
    if (x.shape.slice(1).join(',') !== task.inputShape.join(',')) {
      throw new Error(`${label} split: inputs have shape [${x.shape.join(', ')}], expected [N, ${task.inputShape.join(', ')}]`);
    }
    if (y.shape[0] !== n || y.size !== n * targetSize) {
      throw new Error(`${label} split: targets have shape [${y.shape.join(', ')}] for ${n} inputs, expected [${[n, ...targetShape].join(', ')}]`);
    }
    return {
      size: n,
      read: (indices) =>
        Promise.resolve(
          tf.tidy(() => {
            const idx = tf.tensor1d(indices, 'int32');
            const yb = tf.gather(y, idx);
            return { x: tf.gather(x, idx), y: task.kind === 'classification' ? tf.cast(yb, 'int32') : tf.cast(tf.reshape(yb, [indices.length, ...targetShape]), 'float32') };
          }),
        ),
    };
  }
  return {
    size: source.size,
    read: async (indices) => {
      const batch = await source.batch(indices);
      const n = indices.length;
      if (batch.x.length !== n * sampleSize) throw new Error(`${label} split: a batch of ${n} samples must hold ${n * sampleSize} input values, got ${batch.x.length}`);
      if (batch.y.length !== n * targetSize) throw new Error(`${label} split: a batch of ${n} samples must hold ${n * targetSize} target values, got ${batch.y.length}`);
      const x = tf.tensor(batch.x, [n, ...task.inputShape], 'float32');
      const y =
        task.kind === 'classification'
          ? tf.tensor1d(batch.y instanceof Int32Array ? batch.y : Int32Array.from(batch.y), 'int32')
          : tf.tensor(batch.y instanceof Float32Array ? batch.y : Float32Array.from(batch.y), [n, ...targetShape], 'float32');
      return { x, y };
    },
  };
}

/** A view of some of a reader's samples (a holdout or a size limit). */
export function subsetReader(reader: SplitReader, indices: Int32Array): SplitReader {
  for (const i of indices) if (i < 0 || i >= reader.size) throw new Error(`subset: index ${i} outside 0..${reader.size - 1}`);
  return {
    size: indices.length,
    read: (local) => reader.read(Int32Array.from(local, (i) => indices[i]!)),
  };
}

/** Undoes the target normalisation: y * (std + eps) + mean over one sample's elements. Returns a new tensor. */
export function decodeTargets(y: tf.Tensor, normalization: TargetNormalization | undefined): tf.Tensor {
  if (normalization === undefined) return tf.clone(y);
  const perSample = y.size / y.shape[0]!;
  const { mean, std, eps } = normalization;
  if (mean.length !== std.length || (mean.length !== 1 && mean.length !== perSample)) {
    throw new Error(`target normalisation: mean/std of length ${mean.length}/${std.length} fit neither a scalar nor a sample of ${perSample} values`);
  }
  return tf.tidy(() => {
    const shape = mean.length === 1 ? [1] : [1, perSample];
    const flat = tf.reshape(y, [y.shape[0]!, perSample]);
    const decoded = tf.add(tf.mul(flat, tf.add(tf.tensor(std, shape), eps)), tf.tensor(mean, shape));
    return tf.reshape(decoded, y.shape);
  });
}
