/**
 * The benchmarks' yardstick: DASH's mixture computed the textbook way, one tfjs convolution per pattern with that
 * pattern's whole dilated kernel (as DASH's reference code runs its candidate ops), summed:
 *
 *   y = sum_i c_i * conv_{k_i, d_i}(pad_same(x); w_i) + b
 *
 * It shares no code with ops/mixture-conv.ts's methods (no tap cropping, no grouping, no aggregation): only the
 * 'same' convention (conv-geometry.ts's padBefore: floor((e - 1) / 2) zeros before, the rest after) and the
 * stride rule (outputs 0, s, 2s, ... of the stride-1 result). So a method that disagrees with it is wrong, and
 * its time is the "before" of every speed-up the benchmark prints.
 *
 * FLOPs: a training step of the layer counts, per pattern i with kernel k_i,
 *
 *   3 (forward, input gradient, filter gradient) x 2 (multiply + add) x N x H_out x W_out x kh_i x kw_i x Cin x Cout'
 *
 * with kh_i = k_i for 2-D layers and 1 for 1-D ones, kw_i = k_i, H_out x W_out = ceil(H/s) x ceil(W/s) (1 x ceil(L/s)
 * for 1-D) and Cout' = 1 for depthwise layers, Cout otherwise. Every tap counts, also those that only ever read the
 * zero padding: this is the work the naive path is asked to do, and every method's GFLOP/s is this count over its
 * time (an effective rate: a method that skips work shows a rate above the hardware's).
 */
import * as tf from '@tensorflow/tfjs-core';
import { TRAINING_FLOPS_PER_FORWARD } from '../arch/cost.ts';
import { extent, padBefore } from '../ops/conv-geometry.ts';
import type { MixtureConvConfig } from '../ops/mixture-types.ts';

/** Training FLOPs of one forward + backward of the layer as the naive path does it (see the module comment). */
export function naiveMixtureFlops(config: MixtureConvConfig, inputShape: readonly number[]): number {
  const batch = inputShape[0]!;
  const spatial = inputShape.slice(1, -1);
  const outPositions = spatial.reduce((p, n) => p * Math.ceil(n / config.stride), 1);
  const channels = config.inChannels * (config.depthwise ? 1 : config.outChannels);
  const taps = config.patterns.reduce((s, p) => s + (config.rank === 2 ? p.kernel * p.kernel : p.kernel), 0);
  return TRAINING_FLOPS_PER_FORWARD * 2 * batch * outPositions * taps * channels;
}

/**
 * The naive mixture of x (NWC or NHWC) with one weight tensor per pattern (tfjs filter layouts, as mixture-conv.ts),
 * coefficients [|P|] and an optional bias. Differentiable in everything; runs under tf.tidy.
 */
export function naiveMixture(x: tf.Tensor, weights: readonly tf.Tensor[], coefficients: tf.Tensor1D, bias: tf.Tensor | null, config: MixtureConvConfig): tf.Tensor {
  return tf.tidy(() => {
    const x4 = (config.rank === 1 ? tf.expandDims(x, 1) : x) as tf.Tensor4D;
    const scales = tf.unstack(coefficients);
    const terms = config.patterns.map((p, i) => {
      const e = extent(p.kernel, p.dilation);
      const before = padBefore(p.kernel, p.dilation, 'same');
      const along = [before, e - 1 - before] as [number, number];
      const padded = tf.pad(x4, [[0, 0], config.rank === 2 ? along : [0, 0], along, [0, 0]]);
      const w = weights[i]!;
      const filter = tf.mul(config.rank === 1 ? tf.expandDims(w, 0) : w, scales[i]!) as tf.Tensor4D;
      const dilations: [number, number] = [config.rank === 2 ? p.dilation : 1, p.dilation];
      // tfjs refuses stride > 1 together with dilation > 1: then the stride-1 result, every s-th output kept.
      const direct = config.stride === 1 || p.dilation === 1;
      const strides: [number, number] = direct ? [config.rank === 2 ? config.stride : 1, config.stride] : [1, 1];
      let y = config.depthwise
        ? tf.depthwiseConv2d(padded, filter, strides, 'valid', 'NHWC', dilations)
        : tf.conv2d(padded, filter, strides, 'valid', 'NHWC', dilations);
      if (!direct) {
        const [n, h, wd, c] = y.shape;
        const sh = config.rank === 2 ? config.stride : 1;
        y = tf.stridedSlice(y, [0, 0, 0, 0], [n, h, wd, c], [1, sh, config.stride, 1]) as tf.Tensor4D;
      }
      return y;
    });
    let y: tf.Tensor = addMany(terms);
    if (bias !== null) y = tf.add(y, bias);
    return config.rank === 1 ? tf.squeeze(y, [1]) : y;
  });
}

/**
 * WebGPU's default limit of 8 storage buffers per shader stage (maxStorageBuffersPerShaderStage; tfjs-backend-webgpu
 * 4.22 asks for no more) holds an AddN of at most 7 inputs and its output; its AddN kernel compiles one program for
 * all inputs, and with more the pipeline is invalid and the result is left unwritten (Chromium only logs the
 * validation error). Measured: 20 terms on SwiftShader gave outputs off by 1e27. So sums of many tensors go through
 * addN in groups of 7, then the group sums.
 */
export const ADD_N_MAX_INPUTS = 7;

/** The sum of one or more equally shaped tensors (see ADD_N_MAX_INPUTS). */
export function addMany(terms: readonly tf.Tensor[]): tf.Tensor {
  if (terms.length === 0) throw new Error('addMany: no tensors to add');
  if (terms.length === 1) return terms[0]!;
  if (terms.length <= ADD_N_MAX_INPUTS) return tf.addN([...terms]);
  const groups: tf.Tensor[] = [];
  for (let i = 0; i < terms.length; i += ADD_N_MAX_INPUTS) groups.push(addMany(terms.slice(i, i + ADD_N_MAX_INPUTS)));
  return addMany(groups);
}
