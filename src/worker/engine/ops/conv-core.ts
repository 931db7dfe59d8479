/**
 * One entry point for every 2-D convolution the engine runs (1-D convs are 2-D convs with height 1):
 * NHWC input, tfjs filter layout, explicit per-side padding that may be negative (= crop the input),
 * any combination of stride and dilation, dense or depthwise.
 *
 * tfjs's `conv2d` op refuses stride > 1 together with dilation > 1. The wasm kernels (and cpu's dense one)
 * compute that case correctly (checked against the naive reference in the tests), so there the kernel is
 * invoked directly; elsewhere the stride-1 output is computed and subsampled: exact, but s^2 times the work.
 */
import * as tf from '@tensorflow/tfjs-core';

export type Pair = [number, number];

export interface ConvSpec {
  strides: Pair;
  dilations: Pair;
  /** [[top, bottom], [left, right]]; negative entries crop the input. */
  pads: [Pair, Pair];
  depthwise: boolean;
}

/**
 * Backends whose conv kernels are known to take explicit per-side padding (checked by the tests); elsewhere the
 * input is zero-padded with tf.pad and the conv runs 'valid'.
 */
const EXPLICIT_PADDING = new Set(['cpu', 'wasm']);

/** Backends whose kernels accept stride > 1 with dilation > 1 at once (cpu's depthwise kernel asserts against it). */
const STRIDED_DILATION = { dense: new Set(['cpu', 'wasm']), depthwise: new Set(['wasm']) };

export function convolve2d(x: tf.Tensor4D, filter: tf.Tensor4D, spec: ConvSpec): tf.Tensor4D {
  return tf.tidy(() => {
    const [[top, bottom], [left, right]] = spec.pads;
    let input = x;
    if (top < 0 || bottom < 0 || left < 0 || right < 0) {
      const [n, h, w, c] = x.shape;
      const cropTop = Math.max(0, -top);
      const cropLeft = Math.max(0, -left);
      const height = h - cropTop - Math.max(0, -bottom);
      const width = w - cropLeft - Math.max(0, -right);
      if (height <= 0 || width <= 0) {
        throw new Error(`convolve2d: padding ${JSON.stringify(spec.pads)} crops away the whole input ${x.shape}`);
      }
      input = tf.slice(x, [0, cropTop, cropLeft, 0], [n, height, width, c]);
    }
    let pad: [Pair, Pair, Pair, Pair] = [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ];
    if (!EXPLICIT_PADDING.has(tf.getBackend()) && pad.some(([a, b]) => a > 0 || b > 0)) {
      input = tf.pad(input, pad);
      pad = [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ];
    }
    const [sh, sw] = spec.strides;
    const [dh, dw] = spec.dilations;
    const strided = sh > 1 || sw > 1;
    const dilated = dh > 1 || dw > 1;
    if (!(strided && dilated)) return runConv(input, filter, spec.strides, spec.dilations, pad, spec.depthwise);
    if (STRIDED_DILATION[spec.depthwise ? 'depthwise' : 'dense'].has(tf.getBackend())) {
      return runConv(input, filter, spec.strides, spec.dilations, pad, spec.depthwise);
    }
    const full = runConv(input, filter, [1, 1], spec.dilations, pad, spec.depthwise);
    return subsample(full, spec.strides);
  });
}

function runConv(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: Pair,
  dilations: Pair,
  pad: [Pair, Pair, Pair, Pair],
  depthwise: boolean,
): tf.Tensor4D {
  // The kernels are invoked through the engine so that the op-level "strides or dilations must be 1" check is
  // skipped; everything else the ops do (dtype and rank checks) is done by the callers of convolve2d.
  const unpadded = pad.every(([a, b]) => a === 0 && b === 0);
  const attrs = { strides, pad: unpadded ? 'valid' : pad, dataFormat: 'NHWC', dilations, dimRoundingMode: undefined };
  const kernel = depthwise ? 'DepthwiseConv2dNative' : 'Conv2D';
  return tf.engine().runKernel(kernel, { x, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** Keeps rows 0, sh, 2sh, ... and columns 0, sw, 2sw, ... (differentiable: pad, reshape and slice only). */
export function subsample(y: tf.Tensor4D, strides: Pair): tf.Tensor4D {
  const [sh, sw] = strides;
  if (sh === 1 && sw === 1) return y;
  return tf.tidy(() => {
    const [n, h, w, c] = y.shape;
    const ho = Math.ceil(h / sh);
    const wo = Math.ceil(w / sw);
    const padded = tf.pad(y, [
      [0, 0],
      [0, ho * sh - h],
      [0, wo * sw - w],
      [0, 0],
    ]);
    const grid = tf.reshape(padded, [n, ho, sh, wo, sw, c]);
    const kept = tf.slice(grid, [0, 0, 0, 0, 0, 0], [n, ho, 1, wo, 1, c]);
    return tf.reshape(kept, [n, ho, wo, c]);
  });
}
