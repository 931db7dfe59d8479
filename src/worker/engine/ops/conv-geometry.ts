/**
 * Index arithmetic shared by every convolution path: where a (dilated) kernel's taps land relative to the output
 * position, which taps can ever touch the input, and the explicit paddings that reproduce 'same' / 'causal'
 * outputs. Pure functions of integers, so the conv paths and the naive test reference agree by construction.
 *
 * Conventions (one spatial axis, input length n):
 * - A kernel of k taps with dilation d has extent e = d(k-1)+1. Tap t reads input index j + o_t for output j,
 *   with offset o_t = d*t - before.
 * - 'same' (centred): before = floor((e-1)/2), TensorFlow's 'same' split at stride 1. For odd e the output is
 *   exactly centred; for even e the extra tap sits after the centre (TF and the DASH reference agree for odd
 *   kernel sizes, which is all the DASH spaces use).
 * - 'causal' (1-D): before = e-1, so output j reads only inputs <= j.
 * - Stride s keeps outputs 0, s, 2s, ... of the stride-1 output: ceil(n/s) of them.
 * - A tap with |o_t| > n-1 reads only zero padding for every output, so it can be cropped away exactly.
 */

export type PaddingMode = 'same' | 'causal';

/** Taps of one kernel along one axis after dropping those that never reach the input. */
export interface AxisTaps {
  /** First kept tap index into the original kernel. */
  start: number;
  /** Number of kept taps (0 when none reaches the input). */
  count: number;
  /** Spacing between taps (the dilation). */
  step: number;
  /** Offset o of the first kept tap. */
  firstOffset: number;
}

/** Extent d(k-1)+1 of a kernel with k taps and dilation d. */
export function extent(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1;
}

/** Padding before the input for the given mode: floor((e-1)/2) for 'same', e-1 for 'causal'. */
export function padBefore(kernel: number, dilation: number, mode: PaddingMode): number {
  const e = extent(kernel, dilation);
  return mode === 'same' ? Math.floor((e - 1) / 2) : e - 1;
}

/** The taps of a k-tap, d-dilated kernel that can touch an input of length n (all others read zeros only). */
export function reachableTaps(kernel: number, dilation: number, n: number, mode: PaddingMode): AxisTaps {
  const before = padBefore(kernel, dilation, mode);
  const lo = Math.max(0, Math.ceil((before - (n - 1)) / dilation));
  const hi = Math.min(kernel - 1, Math.floor((before + n - 1) / dilation));
  const count = Math.max(0, hi - lo + 1);
  return { start: lo, count, step: dilation, firstOffset: dilation * lo - before };
}

/** Offset of the last kept tap. */
export function lastOffset(taps: AxisTaps): number {
  return taps.firstOffset + taps.step * (taps.count - 1);
}

/**
 * Explicit paddings [before, after] that make a valid convolution with these taps produce the stride-1 'same'
 * length n (and, with stride s, exactly outputs 0, s, 2s, ...). Negative values mean "crop the input" instead.
 */
export function explicitPads(taps: AxisTaps): [number, number] {
  return [-taps.firstOffset, lastOffset(taps)];
}

/** Output length ceil(n/s) of a strided 'same'/'causal' convolution. */
export function stridedLength(n: number, stride: number): number {
  return Math.ceil(n / stride);
}

/**
 * The aggregated kernel of a mixture: S = max extent, centred with TF's convention (before = floor((S-1)/2)),
 * then cropped to the taps that can reach an input of length n, i.e. at most 2n-1 of them.
 * Every pattern's taps land inside it (see `placeInAggregate`).
 */
export interface AggregateAxis {
  /** Full size S before cropping. */
  full: number;
  /** First kept index into the full kernel. */
  start: number;
  /** Kept size min(S, 2n-1) (fewer when the centre is near an end). */
  size: number;
  /** Offset o of kept index 0. */
  firstOffset: number;
}

export function aggregateAxis(maxExtent: number, n: number): AggregateAxis {
  const before = Math.floor((maxExtent - 1) / 2);
  const start = Math.max(0, before - (n - 1));
  const end = Math.min(maxExtent - 1, before + n - 1);
  return { full: maxExtent, start, size: end - start + 1, firstOffset: start - before };
}

/** Index in the (cropped) aggregated kernel where a pattern's first kept tap lands. */
export function placeInAggregate(taps: AxisTaps, aggregate: AggregateAxis): number {
  const index = taps.firstOffset - aggregate.firstOffset;
  if (index < 0 || index + taps.step * (taps.count - 1) >= aggregate.size) {
    throw new Error(
      `placeInAggregate: taps at offsets ${taps.firstOffset}..${lastOffset(taps)} do not fit the aggregated kernel ` +
        `at ${aggregate.firstOffset}..${aggregate.firstOffset + aggregate.size - 1}`,
    );
  }
  return index;
}

/** Greatest common divisor of two non-negative integers. */
export function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
