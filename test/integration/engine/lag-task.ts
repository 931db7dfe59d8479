/**
 * A generated 1-D task whose label is decided only by a relation between samples a fixed lag L apart, so a network
 * must see at least L+1 consecutive samples to beat chance:
 *
 *   x_t = n_t + s * a * n_{t-L},   n ~ N(0, 1) i.i.d.,   class 1: s = +1 (echo), class 0: s = -1 (inverted echo).
 *
 * Every window of at most L consecutive samples is i.i.d. N(0, 1 + a^2) in both classes (all covariances at lags
 * below L are zero), so nothing shorter than the lag carries information; the sign of the lag-L autocorrelation
 * separates the classes (a network does it with two taps L apart, a ReLU and the mean over time). The noise is
 * drawn for T + L steps and the first L dropped, so there are no edge effects.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RunDataset, InMemorySplit } from '../../../src/worker/engine/data/dataset.ts';
import { SeededRandom } from '../../../src/shared/engine/index.ts';

export interface LagTaskOptions {
  length: number;
  lag: number;
  /** Echo amplitude a. */
  amplitude: number;
  counts: { train: number; validation: number; test: number };
}

export function lagTask(seed: number, o: LagTaskOptions): RunDataset {
  const rng = new SeededRandom(seed);
  const n = o.counts.train + o.counts.validation + o.counts.test;
  const x = new Float32Array(n * o.length);
  const y = new Int32Array(n);
  const noise = new Float32Array(o.length + o.lag);
  for (let s = 0; s < n; s++) {
    const cls = rng.int(2);
    y[s] = cls;
    const sign = cls === 1 ? 1 : -1;
    for (let t = 0; t < noise.length; t++) noise[t] = rng.normal();
    for (let t = 0; t < o.length; t++) x[s * o.length + t] = noise[t + o.lag]! + sign * o.amplitude * noise[t]!;
  }
  const part = (from: number, to: number): InMemorySplit => ({
    x: tf.tensor3d(x.slice(from * o.length, to * o.length), [to - from, o.length, 1]),
    y: tf.tensor1d(y.slice(from, to), 'int32'),
  });
  const { train, validation } = o.counts;
  return {
    task: { kind: 'classification', metric: 'error', inputShape: [o.length, 1], numClasses: 2 },
    train: part(0, train),
    validation: part(train, train + validation),
    test: part(train + validation, n),
  };
}

/**
 * Receptive field of a 1-D chain of convs: 1 + sum of d(k-1). For the retrained (causal) network it is the number
 * of consecutive inputs an output can see, so the network can relate x_t and x_{t-L} only when it is at least L+1.
 */
export function chainReceptiveField(layers: readonly { kernel: number; dilation: number }[]): number {
  return 1 + layers.reduce((sum, l) => sum + l.dilation * (l.kernel - 1), 0);
}
