/**
 * Gradients of a 2-D convolution (dense or depthwise, any stride, dilation and padding) written as forward
 * convolutions, which every backend has and runs fast:
 *
 * - input gradient: a correlation of dy with the flipped filter. With stride s the input positions split into
 *   s phases per axis (polyphase); phase c only meets the taps a with d*a = c (mod s), which form a regular
 *   grid, so each phase is one stride-1 convolution with a strided slice of the flipped filter, and the phases
 *   are interleaved back. No zero-stuffed dy, no wasted multiply-adds.
 * - filter gradient: a forward convolution with the batch and channel axes swapped: x as [Cin, H, W, N],
 *   dy as a filter [Ho, Wo, N, Cout], stride = the forward dilation, dilation = the forward stride. Depthwise:
 *   x as one image of N*C channels, dy as an [Ho, Wo, N*C, multiplier] depthwise filter, summed over N.
 *
 * Derivation (one axis; forward y[i] = sum_a x[s*i + d*a - p] w[a]):
 *   dx[q - p] = sum over (i, a) with s*i + d*a = q of dy[i] w[a]. Write q = s*m + c. With g = gcd(d, s) the
 *   taps meeting phase c are a = a0 + u*(s/g) (none unless g | c), and i = m - base - u*(d/g) with
 *   base = (d*a0 - c)/s. So z_c[m] = sum_u dy[m - base - u*(d/g)] w[a_u]: a dilated (d/g) correlation of dy
 *   with the reversed sub-filter, padded by base + (U-1)*(d/g) before.
 */
import * as tf from '@tensorflow/tfjs-core';
import { convolve2d, type Pair } from '../conv-core.ts';
import { gcd } from '../conv-geometry.ts';

export interface ConvGeometry {
  strides: Pair;
  dilations: Pair;
  /** Padding actually applied before the input: [top, left]. */
  padTopLeft: Pair;
  depthwise: boolean;
}

interface PhasePlan {
  /** Kernel tap indices meeting this phase (ascending). */
  taps: number[];
  /** Dilation of the phase's correlation. */
  dilation: number;
  /** Padding before dy for the phase's correlation. */
  before: number;
}

function phasePlan(kernel: number, stride: number, dilation: number, phase: number): PhasePlan {
  const g = gcd(dilation, stride);
  if (phase % g !== 0) return { taps: [], dilation: 1, before: 0 };
  const period = stride / g;
  let a0 = -1;
  for (let a = 0; a < period; a++) {
    if ((dilation * a) % stride === phase) {
      a0 = a;
      break;
    }
  }
  const taps: number[] = [];
  if (a0 >= 0) for (let a = a0; a < kernel; a += period) taps.push(a);
  const step = dilation / g;
  const base = a0 >= 0 ? (dilation * a0 - phase) / stride : 0;
  return { taps, dilation: step, before: base + (taps.length - 1) * step };
}

/**
 * dL/dx of y = conv(x, filter) for x of shape xShape, given dy. Filter layout [kh, kw, Cin, Cout] (dense) or
 * [kh, kw, C, multiplier] (depthwise).
 */
export function convInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  xShape: [number, number, number, number],
  geometry: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, cin] = xShape;
    const [kh, kw, , multiplier] = filter.shape;
    const [sh, sw] = geometry.strides;
    const [dh, dw] = geometry.dilations;
    const [pt, pl] = geometry.padTopLeft;
    const [, ho, wo] = dy.shape;
    const mh = Math.ceil((pt + h) / sh);
    const mw = Math.ceil((pl + w) / sw);
    const rows: tf.Tensor4D[] = [];
    for (let ch = 0; ch < sh; ch++) {
      const planH = phasePlan(kh, sh, dh, ch);
      const cols: tf.Tensor4D[] = [];
      for (let cw = 0; cw < sw; cw++) {
        const planW = phasePlan(kw, sw, dw, cw);
        if (planH.taps.length === 0 || planW.taps.length === 0) {
          cols.push(tf.zeros([n, mh, mw, cin]));
          continue;
        }
        let sub: tf.Tensor4D = filter;
        if (planH.taps.length !== kh) sub = tf.gather(sub, planH.taps, 0) as tf.Tensor4D;
        if (planW.taps.length !== kw) sub = tf.gather(sub, planW.taps, 1) as tf.Tensor4D;
        sub = tf.reverse(sub, [0, 1]);
        const uh = planH.taps.length;
        const uw = planW.taps.length;
        const pads: [Pair, Pair] = [
          [planH.before, mh + (uh - 1) * planH.dilation - ho - planH.before],
          [planW.before, mw + (uw - 1) * planW.dilation - wo - planW.before],
        ];
        const spec = { strides: [1, 1] as Pair, dilations: [planH.dilation, planW.dilation] as Pair, pads };
        cols.push(phaseCorrelation(dy, sub, spec, geometry.depthwise, multiplier));
      }
      rows.push(sw === 1 ? cols[0]! : (tf.reshape(tf.stack(cols, 3), [n, mh, mw * sw, cin]) as tf.Tensor4D));
    }
    let assembled: tf.Tensor4D;
    if (sh === 1) assembled = rows[0]!;
    else assembled = tf.reshape(tf.stack(rows, 2), [n, mh * sh, mw * sw, cin]) as tf.Tensor4D;
    if (pt === 0 && pl === 0 && mh * sh === h && mw * sw === w) return assembled;
    return tf.slice(assembled, [0, pt, pl, 0], [n, h, w, cin]);
  });
}

function phaseCorrelation(
  dy: tf.Tensor4D,
  reversedFilter: tf.Tensor4D,
  spec: { strides: Pair; dilations: Pair; pads: [Pair, Pair] },
  depthwise: boolean,
  multiplier: number,
): tf.Tensor4D {
  if (!depthwise) {
    const swapped = tf.transpose(reversedFilter, [0, 1, 3, 2]);
    return convolve2d(dy, swapped, { ...spec, depthwise: false });
  }
  if (multiplier === 1) return convolve2d(dy, reversedFilter, { ...spec, depthwise: true });
  // Channel c*m + j of dy came from input channel c through filter column j.
  const [n, ho, wo, cm] = dy.shape;
  const c = cm / multiplier;
  const grouped = tf.reshape(dy, [n, ho, wo, c, multiplier]);
  const parts: tf.Tensor4D[] = [];
  for (let j = 0; j < multiplier; j++) {
    const dyj = tf.reshape(tf.slice(grouped, [0, 0, 0, 0, j], [n, ho, wo, c, 1]), [n, ho, wo, c]) as tf.Tensor4D;
    const fj = tf.slice(reversedFilter, [0, 0, 0, j], [-1, -1, -1, 1]) as tf.Tensor4D;
    parts.push(convolve2d(dyj, fj, { ...spec, depthwise: true }));
  }
  return tf.addN(parts);
}

/** dL/dfilter of y = conv(x, filter), as a forward convolution with batch and channel axes swapped. */
export function convFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  geometry: ConvGeometry,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, cin] = x.shape;
    const [kh, kw, , fout] = filterShape;
    const [, ho, wo, cout] = dy.shape;
    const [sh, sw] = geometry.strides;
    const [dh, dw] = geometry.dilations;
    const [pt, pl] = geometry.padTopLeft;
    // Smallest padding after the input that yields exactly k outputs at stride d (negative: crop).
    const pads: [Pair, Pair] = [
      [pt, dh * (kh - 1) + sh * (ho - 1) + 1 - h - pt],
      [pl, dw * (kw - 1) + sw * (wo - 1) + 1 - w - pl],
    ];
    const spec = { strides: [dh, dw] as Pair, dilations: [sh, sw] as Pair, pads };
    if (!geometry.depthwise) {
      const images = tf.transpose(x, [3, 1, 2, 0]); // [Cin, H, W, N]
      const kernel = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Cout]
      const grad = convolve2d(images, kernel, { ...spec, depthwise: false }); // [Cin, kh, kw, Cout]
      return tf.transpose(grad, [1, 2, 0, 3]);
    }
    const image = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, n * cin]) as tf.Tensor4D;
    const kernel = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [ho, wo, n * cin, cout / cin]) as tf.Tensor4D;
    const grad = convolve2d(image, kernel, { ...spec, depthwise: true }); // [1, kh, kw, N*C*m]
    return tf.sum(tf.reshape(grad, [kh, kw, n, cin, fout]), 2) as tf.Tensor4D;
  });
}
