/**
 * DASH's aggregated ("mixture") convolution, docs/ALGORITHM.md section 1: a searchable conv layer holds one weight
 * tensor per candidate pattern (kernel size k, dilation d) and computes
 *
 *   y = sum_i c_i * conv_{k_i, d_i}(x; w_i) + b,   c = softmax((log_softmax(alpha) + g) / tau),  g ~ Gumbel(0, 1)
 *
 * with 'same' centring (conv-geometry.ts has the convention, including even extents) and stride s taken as
 * outputs 0, s, 2s, ... of the stride-1 result. By linearity this equals one convolution with the aggregated
 * kernel W = sum_i c_i * pad_S(dilate_{d_i}(w_i)). Four exact evaluation methods (`MixtureMethod`):
 *
 * - 'per-pattern': one (dilated) conv per pattern, the weights pre-scaled by c_i, summed.
 * - 'dilation-grouped': patterns sharing a dilation (and tap grid) are summed into one k_max kernel first,
 *   so one dilated conv per dilation.
 * - 'aggregated': one dense conv with W, cropped to min(S, 2n-1) per axis.
 * - 'fft': W applied in the Fourier domain (fourier-conv.ts), forward and backward.
 *
 * Every method first drops the taps that can never touch the input (|offset| >= n): exact, and a large saving
 * when d(k-1)+1 exceeds the input (e.g. the 16-high NinaPro maps). `chooseMixtureMethod` (mixture-cost.ts)
 * picks the cheapest for a layer and input size when no method is given.
 *
 * Layouts: x is NWC (rank 1) or NHWC (rank 2); weights use tfjs filter layouts: dense [k, Cin, Cout] /
 * [k, k, Cin, Cout], depthwise [k, C, 1] / [k, k, C, 1].
 */
import * as tf from '@tensorflow/tfjs-core';
import { fieldSize, MIXTURE_METHODS, type KernelPattern, type MixtureMethod, type SeededRandom } from '../../../shared/engine/index.ts';
import { convolve2d, subsample, type Pair } from './conv-core.ts';
import { aggregateAxis, explicitPads, lastOffset, placeInAggregate, reachableTaps, type AxisTaps } from './conv-geometry.ts';
import { fourierCorrelation } from './fourier-conv.ts';
import { chooseMixtureMethod } from './mixture-cost.ts';
import type { MixtureConvConfig } from './mixture-types.ts';

export interface MixtureConvParams {
  /** One per pattern, tfjs filter layout (see the module comment). */
  weights: tf.Variable[];
  /** Architecture parameters, shape [|P|]. */
  alpha: tf.Variable;
  bias: tf.Variable | null;
}

export function validateMixtureConfig(config: MixtureConvConfig): void {
  const { rank, inChannels, outChannels, stride, patterns, depthwise } = config;
  const bad = (what: string): never => {
    throw new Error(`mixtureConv: ${what} (config ${JSON.stringify({ rank, inChannels, outChannels, stride, depthwise })})`);
  };
  if (rank !== 1 && rank !== 2) bad(`rank must be 1 or 2, got ${rank}`);
  if (!Number.isInteger(inChannels) || inChannels < 1) bad(`inChannels must be a positive integer, got ${inChannels}`);
  if (!Number.isInteger(outChannels) || outChannels < 1) bad(`outChannels must be a positive integer, got ${outChannels}`);
  if (!Number.isInteger(stride) || stride < 1) bad(`stride must be a positive integer, got ${stride}`);
  if (depthwise && inChannels !== outChannels) bad(`depthwise needs inChannels === outChannels, got ${inChannels} and ${outChannels}`);
  if (patterns.length === 0) bad('patterns must not be empty');
  for (const p of patterns) {
    if (!Number.isInteger(p.kernel) || p.kernel < 1 || !Number.isInteger(p.dilation) || p.dilation < 1) {
      bad(`pattern ${JSON.stringify(p)} needs positive integer kernel and dilation`);
    }
  }
}

/** Filter shape of one pattern's weights. */
export function weightShape(config: MixtureConvConfig, pattern: KernelPattern): number[] {
  const io = config.depthwise ? [config.inChannels, 1] : [config.inChannels, config.outChannels];
  return config.rank === 1 ? [pattern.kernel, ...io] : [pattern.kernel, pattern.kernel, ...io];
}

/**
 * Weights N(0, 0.01^2) per pattern (drawn in pattern order), then alpha = 1e-3 * N(0, 1), bias zeros.
 * Variable names are `${name}/w${i}_k${k}_d${d}`, `${name}/alpha`, `${name}/bias`; tfjs needs them unique.
 */
export function createMixtureConvParams(config: MixtureConvConfig, rng: SeededRandom, name: string): MixtureConvParams {
  validateMixtureConfig(config);
  const weights = config.patterns.map((p, i) => {
    const shape = weightShape(config, p);
    const size = shape.reduce((a, b) => a * b, 1);
    return tf.variable(tf.tensor(rng.normalArray(size, 0, 0.01), shape), true, `${name}/w${i}_k${p.kernel}_d${p.dilation}`);
  });
  const alpha = tf.variable(tf.tensor1d(rng.normalArray(config.patterns.length, 0, 1e-3)), true, `${name}/alpha`);
  const bias = config.bias ? tf.variable(tf.zeros([config.outChannels]), true, `${name}/bias`) : null;
  return { weights, alpha, bias };
}

/**
 * c = softmax((log_softmax(alpha) + g) / tau) with g ~ Gumbel(0, 1) drawn from `rng` (|P| draws): one sample
 * per layer per forward pass, shared by the batch. Differentiable with respect to alpha.
 */
export function gumbelCoefficients(alpha: tf.Tensor1D, rng: SeededRandom, tau = 1): tf.Tensor1D {
  if (!(tau > 0)) throw new Error(`gumbelCoefficients: tau must be positive, got ${tau}`);
  const g = new Float32Array(alpha.shape[0]);
  for (let i = 0; i < g.length; i++) g[i] = rng.gumbel();
  return tf.tidy(() => tf.softmax(tf.div(tf.add(tf.logSoftmax(alpha), tf.tensor1d(g)), tau)) as tf.Tensor1D);
}

/** Noise-free softmax(alpha), for ranking and perturbation. */
export function mixtureProbabilities(alpha: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.softmax(alpha));
}

/** Spatial sizes [height, width] of an input (height 1 for rank 1). */
function spatialSize(x: tf.Tensor, config: MixtureConvConfig): Pair {
  const expectedRank = config.rank === 1 ? 3 : 4;
  if (x.rank !== expectedRank) {
    throw new Error(`mixtureConv: rank-${config.rank} layer needs a rank-${expectedRank} input (N${config.rank === 2 ? 'H' : ''}WC), got shape [${x.shape}]`);
  }
  const channels = x.shape[x.rank - 1];
  if (channels !== config.inChannels) throw new Error(`mixtureConv: input has ${channels} channels, the layer expects ${config.inChannels}`);
  return config.rank === 1 ? [1, x.shape[1]!] : [x.shape[1]!, x.shape[2]!];
}

/** Per-axis plan of one pattern: which taps are kept and where they sit. */
export interface PatternPlan {
  pattern: KernelPattern;
  index: number;
  axes: [AxisTaps, AxisTaps];
  /** False when no tap ever reaches the input (possible only for even extents): contributes exactly zero. */
  reaches: boolean;
}

const UNIT_AXIS: AxisTaps = { start: 0, count: 1, step: 1, firstOffset: 0 };

export function planPatterns(config: MixtureConvConfig, size: Pair): PatternPlan[] {
  return config.patterns.map((pattern, index) => {
    const w = reachableTaps(pattern.kernel, pattern.dilation, size[1], 'same');
    const h = config.rank === 1 ? UNIT_AXIS : reachableTaps(pattern.kernel, pattern.dilation, size[0], 'same');
    return { pattern, index, axes: [h, w], reaches: h.count > 0 && w.count > 0 };
  });
}

/** A 4-D filter [kh, kw, A, B] whose taps sit at offsets firstOffset + step * t along each axis. */
interface KernelPiece {
  filter: tf.Tensor4D;
  axes: [AxisTaps, AxisTaps];
}

/**
 * y = mixture of the layer's patterns applied to x with the given coefficients (one per pattern, e.g. from
 * `gumbelCoefficients`, or one-hot for a fixed choice). Runs under tf.tidy; differentiable with respect to x,
 * the weights, the bias and the coefficients.
 */
export function mixtureConv(
  x: tf.Tensor,
  params: MixtureConvParams,
  config: MixtureConvConfig,
  coefficients: tf.Tensor1D,
  options: { method?: MixtureMethod } = {},
): tf.Tensor {
  validateMixtureConfig(config);
  const size = spatialSize(x, config);
  if (params.weights.length !== config.patterns.length || coefficients.shape[0] !== config.patterns.length) {
    throw new Error(
      `mixtureConv: ${config.patterns.length} patterns but ${params.weights.length} weight tensors and ${coefficients.shape[0]} coefficients`,
    );
  }
  config.patterns.forEach((pattern, i) => {
    const expected = weightShape(config, pattern);
    const actual = params.weights[i]!.shape;
    if (actual.length !== expected.length || actual.some((v, j) => v !== expected[j])) {
      throw new Error(`mixtureConv: weight ${i} (k=${pattern.kernel}, d=${pattern.dilation}) has shape [${actual}], expected [${expected}]`);
    }
  });
  const method = options.method ?? chooseMixtureMethod(config, x.shape[0]!, size, tf.getBackend());
  return tf.tidy(() => {
    const x4 = (config.rank === 1 ? tf.expandDims(x, 1) : x) as tf.Tensor4D;
    const plans = planPatterns(config, size);
    const scales = tf.unstack(coefficients);
    const pieces: KernelPiece[] = [];
    const unreached: tf.Tensor[] = [];
    for (const plan of plans) {
      const weight = params.weights[plan.index]!;
      const scale = scales[plan.index]!;
      if (!plan.reaches) {
        unreached.push(tf.mul(tf.sum(weight), scale));
        continue;
      }
      pieces.push({ filter: tf.mul(keptTaps(weight, plan, config), scale), axes: plan.axes });
    }
    let y: tf.Tensor4D;
    if (pieces.length === 0) {
      y = tf.zeros([x4.shape[0], Math.ceil(size[0] / strideOf(config)[0]), Math.ceil(size[1] / config.stride), config.outChannels]);
    } else if (method === 'per-pattern') {
      y = tf.addN(pieces.map((piece) => convolvePiece(x4, piece, config)));
    } else if (method === 'dilation-grouped') {
      y = tf.addN(groupByGrid(pieces).map((piece) => convolvePiece(x4, piece, config)));
    } else {
      const aggregate = aggregateKernel(groupByGrid(pieces), config, size);
      if (method === 'aggregated') {
        y = convolvePiece(x4, aggregate, config);
      } else if (method === 'fft') {
        const offsets: Pair = [aggregate.axes[0].firstOffset, aggregate.axes[1].firstOffset];
        y = subsample(fourierCorrelation(x4, aggregate.filter, offsets, config.depthwise), strideOf(config));
      } else {
        throw new Error(`mixtureConv: unknown method '${String(method)}' (one of ${MIXTURE_METHODS.join(', ')})`);
      }
    }
    // Patterns that never reach the input add exactly zero but stay connected, so they get a (zero) gradient.
    if (unreached.length > 0) y = tf.add(y, tf.mul(tf.addN(unreached), 0));
    if (params.bias !== null) y = tf.add(y, params.bias);
    return config.rank === 1 ? tf.squeeze(y, [1]) : y;
  });
}

function strideOf(config: MixtureConvConfig): Pair {
  return config.rank === 1 ? [1, config.stride] : [config.stride, config.stride];
}

/** The pattern's weights as a 4-D filter restricted to its reachable taps. */
function keptTaps(weight: tf.Tensor, plan: PatternPlan, config: MixtureConvConfig): tf.Tensor4D {
  const w4 = (config.rank === 1 ? tf.expandDims(weight, 0) : weight) as tf.Tensor4D;
  const [h, w] = plan.axes;
  if (h.count === w4.shape[0] && w.count === w4.shape[1]) return w4;
  return tf.slice(w4, [h.start, w.start, 0, 0], [h.count, w.count, -1, -1]);
}

function convolvePiece(x4: tf.Tensor4D, piece: KernelPiece, config: MixtureConvConfig): tf.Tensor4D {
  const [h, w] = piece.axes;
  return convolve2d(x4, piece.filter, {
    strides: strideOf(config),
    dilations: [h.step, w.step],
    pads: [explicitPads(h), explicitPads(w)],
    depthwise: config.depthwise,
  });
}

/** Residue class of a piece's tap grid; pieces with equal keys share one grid and can be summed. */
function gridKey(piece: KernelPiece): string {
  const [h, w] = piece.axes;
  const mod = (a: number, m: number): number => ((a % m) + m) % m;
  return `${h.step}:${mod(h.firstOffset, h.step)}|${w.step}:${mod(w.firstOffset, w.step)}`;
}

/**
 * Sums pieces that share a tap grid (same dilation and alignment: all odd kernel sizes of one dilation) into
 * one kernel spanning their union, each placed at its own offsets.
 */
function groupByGrid(pieces: KernelPiece[]): KernelPiece[] {
  const groups = new Map<string, KernelPiece[]>();
  for (const piece of pieces) {
    const key = gridKey(piece);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [piece]);
    else list.push(piece);
  }
  return [...groups.values()].map((members) => {
    if (members.length === 1) return members[0]!;
    const axes = [0, 1].map((axis) => {
      const first = Math.min(...members.map((m) => m.axes[axis]!.firstOffset));
      const last = Math.max(...members.map((m) => lastOffset(m.axes[axis]!)));
      const step = members[0]!.axes[axis]!.step;
      return { start: 0, count: (last - first) / step + 1, step, firstOffset: first };
    }) as [AxisTaps, AxisTaps];
    const placed = members.map((m) => {
      const before = [0, 1].map((axis) => (m.axes[axis]!.firstOffset - axes[axis]!.firstOffset) / axes[axis]!.step);
      const after = [0, 1].map((axis) => axes[axis]!.count - m.axes[axis]!.count - before[axis]!);
      return tf.pad(m.filter, [
        [before[0]!, after[0]!],
        [before[1]!, after[1]!],
        [0, 0],
        [0, 0],
      ]);
    });
    return { filter: tf.addN(placed), axes };
  });
}

/** Inserts step-1 zeros between the taps of each axis: the dilated kernel as a dense one. */
function dilateFilter(filter: tf.Tensor4D, steps: Pair): tf.Tensor4D {
  let f = filter;
  const [dh, dw] = steps;
  if (dh > 1) {
    const [kh, kw, a, b] = f.shape;
    const spread = tf.pad(tf.reshape(f, [kh, 1, kw * a * b]), [[0, 0], [0, dh - 1], [0, 0]]);
    f = tf.slice(tf.reshape(spread, [kh * dh, kw, a, b]), [0, 0, 0, 0], [(kh - 1) * dh + 1, kw, a, b]) as tf.Tensor4D;
  }
  if (dw > 1) {
    const [kh, kw, a, b] = f.shape;
    const spread = tf.pad(tf.reshape(f, [kh, kw, 1, a * b]), [[0, 0], [0, 0], [0, dw - 1], [0, 0]]);
    f = tf.slice(tf.reshape(spread, [kh, kw * dw, a, b]), [0, 0, 0, 0], [kh, (kw - 1) * dw + 1, a, b]) as tf.Tensor4D;
  }
  return f;
}

/**
 * W = sum of the (grouped) pieces, dilated and placed in the S-kernel centred with TF's convention, cropped per
 * axis to the taps that reach an input of this size.
 */
function aggregateKernel(groups: KernelPiece[], config: MixtureConvConfig, size: Pair): KernelPiece {
  const maxExtent = Math.max(...config.patterns.map(fieldSize));
  const aggH = config.rank === 1 ? aggregateAxis(1, 1) : aggregateAxis(maxExtent, size[0]);
  const aggW = aggregateAxis(maxExtent, size[1]);
  const placed = groups.map((g) => {
    const dense = dilateFilter(g.filter, [g.axes[0].step, g.axes[1].step]);
    const top = placeInAggregate(g.axes[0], aggH);
    const left = placeInAggregate(g.axes[1], aggW);
    return tf.pad(dense, [
      [top, aggH.size - top - dense.shape[0]],
      [left, aggW.size - left - dense.shape[1]],
      [0, 0],
      [0, 0],
    ]);
  });
  const filter = placed.length === 1 ? placed[0]! : tf.addN(placed);
  return {
    filter,
    axes: [
      { start: 0, count: aggH.size, step: 1, firstOffset: aggH.firstOffset },
      { start: 0, count: aggW.size, step: 1, firstOffset: aggW.firstOffset },
    ],
  };
}
