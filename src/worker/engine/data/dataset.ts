/**
 * What the engine needs from a dataset: the task, and train/validation/test splits, each either tensors in memory
 * or a batch reader that produces any requested samples (so that larger-than-memory datasets stream from disk).
 * Inputs are channels-last: [L, C] per sample for sequences, [H, W, C] for images and fields.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TargetNormalization, TaskSpec } from '../../../shared/engine/index.ts';

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

export interface RunDataset {
  task: TaskSpec;
  train: SplitSource;
  /** Held-out data for HP selection and checkpoint choice; when absent, a seeded share of train is held out. */
  validation?: SplitSource;
  /** Used once, for the final result. */
  test: SplitSource;
  targetNormalization?: TargetNormalization;
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
