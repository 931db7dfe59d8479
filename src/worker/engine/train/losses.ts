/**
 * Training objectives per task family.
 * - classification: cross-entropy, mean over the batch (nn.CrossEntropyLoss).
 * - dense regression: relative L2 on targets in original units, summed over the batch (DASH's
 *   LpLoss(size_average=False) on decoded outputs; its reference learning rates assume the sum).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TargetNormalization, TaskKind } from '../../../shared/engine/index.ts';
import { decodeTargets } from '../data/dataset.ts';

export interface TaskLoss {
  /** The scalar to differentiate. */
  objective(output: tf.Tensor, target: tf.Tensor): tf.Scalar;
  /** How the objective reduces over the batch, so that a per-sample mean can be reported. */
  reduction: 'mean' | 'sum';
}

export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits as tf.Tensor2D);
    const onehot = tf.oneHot(tf.cast(labels, 'int32') as tf.Tensor1D, logits.shape[1]!);
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), 1))) as tf.Scalar;
  });
}

/** Sum over samples of ||yhat - y|| / ||y||, both [N, ...] of equal size. */
export function relativeL2Sum(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const n = target.shape[0]!;
    const y = tf.reshape(target, [n, -1]);
    const yHat = tf.reshape(prediction, [n, -1]);
    return tf.sum(tf.div(tf.norm(tf.sub(yHat, y), 'euclidean', 1), tf.norm(y, 'euclidean', 1))) as tf.Scalar;
  });
}

export function taskLoss(kind: TaskKind, normalization: TargetNormalization | undefined): TaskLoss {
  if (kind === 'classification') return { objective: crossEntropy, reduction: 'mean' };
  return {
    reduction: 'sum',
    objective: (output, target) =>
      tf.tidy(() => relativeL2Sum(decodeTargets(output, normalization), decodeTargets(tf.reshape(target, output.shape), normalization))),
  };
}
