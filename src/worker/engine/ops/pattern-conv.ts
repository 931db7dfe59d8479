/**
 * A single-pattern convolution for discrete (retrained) networks: kernel k, dilation d, stride s,
 * 'same' (centred, conv-geometry.ts convention) or 'causal' (1-D only: left padding d(k-1)), dense or depthwise.
 * Taps that can never touch the input are dropped (exact). Differentiable on every backend through the
 * gradient fills in kernels/register.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { convolve2d, type Pair } from './conv-core.ts';
import { explicitPads, reachableTaps, type AxisTaps, type PaddingMode } from './conv-geometry.ts';

export interface PatternConvOptions {
  rank: 1 | 2;
  kernel: number;
  dilation: number;
  stride: number;
  padding: PaddingMode;
  depthwise: boolean;
}

/**
 * x: NWC (rank 1) or NHWC (rank 2); weight: [k, Cin, Cout] / [k, k, Cin, Cout], depthwise [k, C, 1] /
 * [k, k, C, 1]; bias [Cout] or null. Output length ceil(n / stride) per spatial axis.
 */
export function patternConv(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null, options: PatternConvOptions): tf.Tensor {
  const { rank, kernel, dilation, stride, padding, depthwise } = options;
  const where = `patternConv(rank=${rank}, k=${kernel}, d=${dilation}, s=${stride}, ${padding}${depthwise ? ', depthwise' : ''})`;
  if (rank !== 1 && rank !== 2) throw new Error(`${where}: rank must be 1 or 2`);
  if (padding === 'causal' && rank !== 1) throw new Error(`${where}: causal padding is defined for 1-D convolutions only`);
  for (const [name, v] of [['kernel', kernel], ['dilation', dilation], ['stride', stride]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${where}: ${name} must be a positive integer, got ${v}`);
  }
  if (x.rank !== rank + 2) throw new Error(`${where}: input must have rank ${rank + 2}, got shape [${x.shape}]`);
  const expectedWeight = rank === 1 ? [kernel] : [kernel, kernel];
  if (weight.rank !== rank + 2 || expectedWeight.some((k, i) => weight.shape[i] !== k)) {
    throw new Error(`${where}: weight shape [${weight.shape}] does not match kernel ${kernel}`);
  }
  const cin = x.shape[x.rank - 1]!;
  if (weight.shape[rank] !== cin) throw new Error(`${where}: weight expects ${weight.shape[rank]} input channels, x has ${cin}`);
  if (depthwise && weight.shape[rank + 1] !== 1) throw new Error(`${where}: depthwise weight must end in 1, got [${weight.shape}]`);
  const cout = depthwise ? cin : weight.shape[rank + 1]!;
  if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== cout)) throw new Error(`${where}: bias must be [${cout}], got [${bias.shape}]`);

  return tf.tidy(() => {
    const x4 = (rank === 1 ? tf.expandDims(x, 1) : x) as tf.Tensor4D;
    const w4 = (rank === 1 ? tf.expandDims(weight, 0) : weight) as tf.Tensor4D;
    const [, h, w] = x4.shape;
    const unit: AxisTaps = { start: 0, count: 1, step: 1, firstOffset: 0 };
    const th = rank === 1 ? unit : reachableTaps(kernel, dilation, h, padding);
    const tw = reachableTaps(kernel, dilation, w, padding);
    const strides: Pair = rank === 1 ? [1, stride] : [stride, stride];
    let y: tf.Tensor4D;
    if (th.count === 0 || tw.count === 0) {
      // Only even extents can miss the input entirely; the output is exactly zero, kept connected to the weight.
      const [n] = x4.shape;
      y = tf.mul(tf.ones([n, Math.ceil(h / strides[0]), Math.ceil(w / strides[1]), cout]), tf.mul(tf.sum(w4), 0));
    } else {
      const kept = th.count === w4.shape[0] && tw.count === w4.shape[1] ? w4 : tf.slice(w4, [th.start, tw.start, 0, 0], [th.count, tw.count, -1, -1]);
      y = convolve2d(x4, kept, { strides, dilations: [th.step, tw.step], pads: [explicitPads(th), explicitPads(tw)], depthwise });
    }
    if (bias !== null) y = tf.add(y, bias);
    return rank === 1 ? tf.squeeze(y, [1]) : y;
  });
}
