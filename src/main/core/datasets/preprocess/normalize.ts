/**
 * Pointwise Gaussian normalisation, as FNO's and NAS-Bench-360's UnitGaussianNormalizer does it: for every
 * position of a sample, the mean and (sample, n - 1) standard deviation over the training samples;
 * encode (v - mean) / (std + eps), decode v * (std + eps) + mean.
 */
import type { PointwiseNormalization } from './task-data.ts';

export const unitGaussianEps = 1e-5;

/** Statistics over `n` samples of `values.length / n` positions each. */
export function pointwiseStats(values: ArrayLike<number>, n: number, eps = unitGaussianEps): PointwiseNormalization {
  const size = values.length / n;
  const sum = new Float64Array(size);
  for (let s = 0; s < n; s++) for (let p = 0, o = s * size; p < size; p++, o++) sum[p]! += values[o]!;
  const mean = new Float64Array(size);
  for (let p = 0; p < size; p++) mean[p] = sum[p]! / n;
  const squares = new Float64Array(size);
  for (let s = 0; s < n; s++) {
    for (let p = 0, o = s * size; p < size; p++, o++) {
      const d = values[o]! - mean[p]!;
      squares[p]! += d * d;
    }
  }
  const std = new Float32Array(size);
  for (let p = 0; p < size; p++) std[p] = n > 1 ? Math.sqrt(squares[p]! / (n - 1)) : 0;
  return { mean: Float32Array.from(mean), std, eps };
}

/** Encodes in place: every sample of `values` (one sample = mean.length values). */
export function encodePointwise(values: Float32Array, stats: PointwiseNormalization): Float32Array {
  const size = stats.mean.length;
  for (let o = 0; o < values.length; o++) {
    const p = o % size;
    values[o] = (values[o]! - stats.mean[p]!) / (stats.std[p]! + stats.eps);
  }
  return values;
}

/** Decodes in place. */
export function decodePointwise(values: Float32Array, stats: PointwiseNormalization): Float32Array {
  const size = stats.mean.length;
  for (let o = 0; o < values.length; o++) {
    const p = o % size;
    values[o] = values[o]! * (stats.std[p]! + stats.eps) + stats.mean[p]!;
  }
  return values;
}
