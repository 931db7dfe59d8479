/**
 * The non-searched building blocks: batch norm, dense, fixed (1x1) convs, dropout, and their initialisers.
 * Each layer owns tf.Variables and lists them as `NamedVariable`s under a stable prefix.
 *
 * Initialisation follows the DASH/NAS-Bench-360 backbones: convs xavier-uniform with gain sqrt(2) and zero bias;
 * batch norm scale 1, shift 0, running mean 0, running variance 1; dense layers PyTorch's nn.Linear default,
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '../../../shared/engine/index.ts';
import type { NamedVariable } from './network.ts';

export const BN_EPSILON = 1e-5;
/** PyTorch's convention: running = (1 - momentum) * running + momentum * batch statistic. */
export const BN_MOMENTUM = 0.1;
export const XAVIER_GAIN = Math.SQRT2;

/** Xavier (Glorot) uniform values: U(-b, b), b = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform(size: number, fanIn: number, fanOut: number, gain: number, rng: SeededRandom): Float32Array {
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return rng.uniformArray(size, -bound, bound);
}

/**
 * A conv filter in tfjs layout [k, (k,) inPerGroup, out] initialised xavier-uniform; fans as PyTorch computes them
 * for its [out, inPerGroup, k...] layout: fanIn = inPerGroup * k^rank, fanOut = out * k^rank.
 */
export function xavierConvFilter(rank: 1 | 2, kernel: number, inPerGroup: number, outChannels: number, rng: SeededRandom): tf.Tensor {
  const taps = kernel ** rank;
  const shape = rank === 2 ? [kernel, kernel, inPerGroup, outChannels] : [kernel, inPerGroup, outChannels];
  return tf.tensor(xavierUniform(taps * inPerGroup * outChannels, inPerGroup * taps, outChannels * taps, XAVIER_GAIN, rng), shape, 'float32');
}

function variable(init: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

/** Mean over every axis but the last (channels last). */
function reductionAxes(x: tf.Tensor): number[] {
  return Array.from({ length: x.rank - 1 }, (_, i) => i);
}

export class BatchNorm {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly variables: NamedVariable[];

  constructor(name: string, channels: number) {
    this.gamma = variable(tf.ones([channels]), true);
    this.beta = variable(tf.zeros([channels]), true);
    this.runningMean = variable(tf.zeros([channels]), false);
    this.runningVar = variable(tf.ones([channels]), false);
    this.variables = [
      { name: `${name}.gamma`, variable: this.gamma, role: 'weight' },
      { name: `${name}.beta`, variable: this.beta, role: 'weight' },
      { name: `${name}.running_mean`, variable: this.runningMean, role: 'state' },
      { name: `${name}.running_var`, variable: this.runningVar, role: 'state' },
    ];
  }

  /**
   * Training: normalise with the batch mean and biased variance, and move the running estimates towards the batch
   * mean and the unbiased variance (n/(n-1)), as torch.nn.BatchNorm does. Evaluation: use the running estimates.
   */
  apply(x: tf.Tensor, training: boolean): tf.Tensor {
    if (!training) {
      return tf.add(tf.mul(tf.mul(tf.sub(x, this.runningMean), tf.rsqrt(tf.add(this.runningVar, BN_EPSILON))), this.gamma), this.beta);
    }
    const axes = reductionAxes(x);
    const mean = tf.mean(x, axes);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), axes);
    const n = x.size / x.shape[x.rank - 1]!;
    const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
    this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
    this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, BN_EPSILON))), this.gamma), this.beta);
  }
}

/** A fully connected layer on the last axis: y = x W + b, W [in, out]. */
export class Dense {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly variables: NamedVariable[];

  constructor(name: string, inFeatures: number, outFeatures: number, rng: SeededRandom) {
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = variable(tf.tensor2d(rng.uniformArray(inFeatures * outFeatures, -bound, bound), [inFeatures, outFeatures]), true);
    this.bias = variable(tf.tensor1d(rng.uniformArray(outFeatures, -bound, bound)), true);
    this.variables = [
      { name: `${name}.w`, variable: this.weight, role: 'weight' },
      { name: `${name}.b`, variable: this.bias, role: 'weight' },
    ];
  }

  apply(x: tf.Tensor): tf.Tensor {
    const inFeatures = this.weight.shape[0]!;
    const flat = tf.reshape(x, [-1, inFeatures]);
    const y = tf.add(tf.matMul(flat, this.weight), this.bias);
    return tf.reshape(y, [...x.shape.slice(0, -1), this.weight.shape[1]!]);
  }
}

/**
 * A 1x1 convolution with stride (shortcuts and residual projections): never dilated, never searched. For a 1x1
 * kernel 'same' and PyTorch's padding 0 agree, keeping positions 0, s, 2s, ...
 */
export class PointwiseConv {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly variables: NamedVariable[];
  private readonly rank: 1 | 2;
  private readonly stride: number;

  constructor(name: string, rank: 1 | 2, inChannels: number, outChannels: number, stride: number, rng: SeededRandom) {
    this.rank = rank;
    this.stride = stride;
    this.weight = variable(xavierConvFilter(rank, 1, inChannels, outChannels, rng), true);
    this.bias = variable(tf.zeros([outChannels]), true);
    this.variables = [
      { name: `${name}.w`, variable: this.weight, role: 'weight' },
      { name: `${name}.b`, variable: this.bias, role: 'weight' },
    ];
  }

  apply(x: tf.Tensor): tf.Tensor {
    const y =
      this.rank === 2
        ? tf.conv2d(x as tf.Tensor4D, this.weight as tf.Tensor4D, this.stride, 'same')
        : tf.conv1d(x as tf.Tensor3D, this.weight as tf.Tensor3D, this.stride, 'same');
    return tf.add(y, this.bias);
  }
}

/** Inverted dropout with a seeded mask: zero with probability `rate`, scale the rest by 1/(1-rate). */
export function dropout(x: tf.Tensor, rate: number, rng: SeededRandom): tf.Tensor {
  if (rate === 0) return x;
  if (!(rate > 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
  const keep = 1 / (1 - rate);
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() >= rate ? keep : 0;
  return tf.mul(x, tf.tensor(mask, x.shape, 'float32'));
}
