/**
 * Search spaces: the candidate (kernel, dilation) patterns of each searchable layer. DASH gives every layer the
 * same grid K x D, indexed kernel-major (i = iK * |D| + iD); P-DASH prunes layers independently, so the engine
 * keeps one pattern list per layer (ragged).
 */

/** One candidate convolution: kernel size k and dilation d. */
export interface KernelPattern {
  kernel: number;
  dilation: number;
}

/** The grid a DASH search starts from. */
export interface SearchSpaceGrid {
  kernels: number[];
  dilations: number[];
}

/** Candidate patterns per searchable layer, in layer order. Layers may have different lists (P-DASH). */
export type LayerSearchSpaces = KernelPattern[][];

/** DASH's defaults: K={3,5,7,9} x D={1,3,7,15} for 2-D; K={3,7,11,15,19} x D={1,3,7,15} for 1-D sequences. */
export function defaultSearchSpace(rank: 1 | 2): SearchSpaceGrid {
  return rank === 2 ? { kernels: [3, 5, 7, 9], dilations: [1, 3, 7, 15] } : { kernels: [3, 7, 11, 15, 19], dilations: [1, 3, 7, 15] };
}

/** The grid's patterns, kernel-major. */
export function gridPatterns(grid: SearchSpaceGrid): KernelPattern[] {
  checkGrid(grid);
  return patternSpace(grid.kernels, grid.dilations);
}

/**
 * Every (kernel, dilation) pair in kernel-major order, index i = iK * |D| + iD, without gridPatterns' checks: the
 * mixture conv itself computes any kernel (even ones included), and its tests and benchmarks use that.
 */
export function patternSpace(kernels: readonly number[], dilations: readonly number[]): KernelPattern[] {
  return kernels.flatMap((kernel) => dilations.map((dilation) => ({ kernel, dilation })));
}

/** The same grid for each of `layers` searchable layers. */
export function uniformSearchSpaces(grid: SearchSpaceGrid, layers: number): LayerSearchSpaces {
  return Array.from({ length: layers }, () => gridPatterns(grid));
}

/** Receptive field of a dilated kernel along one axis: d (k - 1) + 1. */
export function fieldSize(p: KernelPattern): number {
  return p.dilation * (p.kernel - 1) + 1;
}

/**
 * The size f_i in DASH's field-size penalty 1e-5 * f_i on alpha's gradient: d(k-1)+1, except for dense 2-D
 * prediction (outputs keep the input's shape), where the reference uses 10 * k.
 */
export function penaltyFieldSize(p: KernelPattern, densePrediction: boolean): number {
  return densePrediction ? 10 * p.kernel : fieldSize(p);
}

export function patternLabel(p: KernelPattern): string {
  return `k${p.kernel}d${p.dilation}`;
}

function checkGrid(grid: SearchSpaceGrid): void {
  const bad = (xs: number[]): boolean => xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1);
  if (bad(grid.kernels)) throw new Error(`search space: kernels must be a non-empty list of positive integers, got [${grid.kernels.join(', ')}]`);
  if (bad(grid.dilations)) throw new Error(`search space: dilations must be a non-empty list of positive integers, got [${grid.dilations.join(', ')}]`);
  const dup = (xs: number[]): boolean => new Set(xs).size !== xs.length;
  if (dup(grid.kernels) || dup(grid.dilations)) throw new Error(`search space: kernels [${grid.kernels.join(', ')}] and dilations [${grid.dilations.join(', ')}] must not repeat a value`);
}
