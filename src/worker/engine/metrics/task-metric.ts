/**
 * Evaluation metrics of the three task families, accumulated over a whole evaluation set batch by batch (never
 * averaged per batch). All three are errors: lower is better.
 *
 * - `error`: 100 - top-1 accuracy, in %.
 * - `relative-l2`: mean over samples of ||y_hat - y|| / ||y||, on targets in their original units (the caller
 *   undoes any target normalisation before `add`).
 * - `one-minus-macro-f1`: 1 - macro-averaged F1 over the classes that occur in the targets or the predictions
 *   (scikit-learn's `f1_score(average='macro')`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { MetricName } from '../../../shared/engine/index.ts';

export interface MetricAccumulator {
  readonly name: MetricName;
  /** Samples seen so far. */
  readonly count: number;
  /** output: logits [N, C] or predictions [N, ...]; target: labels [N] (int) or values [N, ...]. Does not dispose them. */
  add(output: tf.Tensor, target: tf.Tensor): Promise<void>;
  /** The metric over everything added; throws when nothing was. */
  value(): number;
}

export function createMetric(name: MetricName, numClasses?: number): MetricAccumulator {
  switch (name) {
    case 'error':
      return new ErrorRate();
    case 'relative-l2':
      return new RelativeL2();
    case 'one-minus-macro-f1':
      if (numClasses === undefined || !Number.isInteger(numClasses) || numClasses < 2) {
        throw new Error(`metric one-minus-macro-f1 needs the number of classes (>= 2), got ${String(numClasses)}`);
      }
      return new OneMinusMacroF1(numClasses);
  }
}

async function predictedClasses(output: tf.Tensor, target: tf.Tensor): Promise<{ predicted: Int32Array; labels: Int32Array }> {
  if (output.rank !== 2 || target.rank !== 1 || output.shape[0] !== target.shape[0]) {
    throw new Error(`classification metric: expected logits [N, C] and labels [N], got [${output.shape.join(', ')}] and [${target.shape.join(', ')}]`);
  }
  const argMax = tf.argMax(output, 1);
  const predicted = (await argMax.data()) as Int32Array;
  argMax.dispose();
  const labels = Int32Array.from(await target.data());
  return { predicted, labels };
}

class ErrorRate implements MetricAccumulator {
  readonly name = 'error' as const;
  count = 0;
  private correct = 0;

  async add(output: tf.Tensor, target: tf.Tensor): Promise<void> {
    const { predicted, labels } = await predictedClasses(output, target);
    for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) this.correct++;
    this.count += labels.length;
  }

  value(): number {
    if (this.count === 0) throw new Error('error rate: no samples were evaluated');
    return 100 * (1 - this.correct / this.count);
  }
}

class OneMinusMacroF1 implements MetricAccumulator {
  readonly name = 'one-minus-macro-f1' as const;
  count = 0;
  /** confusion[t * C + p]: samples of class t predicted as p. */
  private readonly confusion: Float64Array;
  private readonly numClasses: number;

  constructor(numClasses: number) {
    this.numClasses = numClasses;
    this.confusion = new Float64Array(numClasses * numClasses);
  }

  async add(output: tf.Tensor, target: tf.Tensor): Promise<void> {
    const { predicted, labels } = await predictedClasses(output, target);
    const c = this.numClasses;
    for (let i = 0; i < labels.length; i++) {
      const t = labels[i]!;
      if (t < 0 || t >= c) throw new Error(`macro F1: label ${t} outside 0..${c - 1}`);
      this.confusion[t * c + predicted[i]!]! += 1;
    }
    this.count += labels.length;
  }

  value(): number {
    if (this.count === 0) throw new Error('macro F1: no samples were evaluated');
    const c = this.numClasses;
    let sum = 0;
    let present = 0;
    for (let k = 0; k < c; k++) {
      let support = 0;
      let predictedAs = 0;
      for (let j = 0; j < c; j++) {
        support += this.confusion[k * c + j]!;
        predictedAs += this.confusion[j * c + k]!;
      }
      if (support === 0 && predictedAs === 0) continue;
      const tp = this.confusion[k * c + k]!;
      sum += (2 * tp) / (support + predictedAs);
      present++;
    }
    return 1 - sum / present;
  }
}

class RelativeL2 implements MetricAccumulator {
  readonly name = 'relative-l2' as const;
  count = 0;
  private sum = 0;

  async add(output: tf.Tensor, target: tf.Tensor): Promise<void> {
    if (output.size !== target.size || output.shape[0] !== target.shape[0]) {
      throw new Error(`relative L2: prediction [${output.shape.join(', ')}] and target [${target.shape.join(', ')}] differ in size`);
    }
    const n = target.shape[0]!;
    const ratios = tf.tidy(() => {
      const y = tf.reshape(target, [n, -1]);
      const yHat = tf.reshape(output, [n, -1]);
      return tf.div(tf.norm(tf.sub(yHat, y), 'euclidean', 1), tf.norm(y, 'euclidean', 1));
    });
    const values = await ratios.data();
    ratios.dispose();
    for (let i = 0; i < n; i++) this.sum += values[i]!;
    this.count += n;
  }

  value(): number {
    if (this.count === 0) throw new Error('relative L2: no samples were evaluated');
    return this.sum / this.count;
  }
}
