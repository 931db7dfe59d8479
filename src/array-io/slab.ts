/**
 * Slab selection (numpy basic slicing with positive steps, HDF5 "hyperslabs") over an array stored in C or
 * Fortran order: which byte runs of the stored array hold the selected elements, and how to turn the gathered
 * elements into C order.
 *
 * A selection is gathered as runs in increasing file order. The innermost stored axes that are selected whole
 * merge into one run, and so does a following axis selected with step 1, so that reading rows of a C-order array is
 * a single run and reading rows of a Fortran-order array is one run per column (the rows of one column are adjacent
 * in the file). Gathered bytes are therefore in the storage order of the selection; Fortran-order results are then
 * transposed to C order.
 */
import { LabError } from '../shared/errors.ts';
import { allocateDecoded, type DType, type NumericArray } from './dtype.ts';

export type StorageOrder = 'C' | 'F';

/** Elements start, start + step, ... below stop along one axis. */
export interface AxisRange {
  start: number;
  stop: number;
  step?: number;
}

export interface NormalizedRange {
  start: number;
  step: number;
  count: number;
}

/** The byte runs that hold a selection: `offsets[i]` (from the start of the array's data), each `runLength` bytes. */
export interface RunPlan {
  offsets: Float64Array;
  runLength: number;
  /** Shape of the selected elements. */
  shape: number[];
  totalBytes: number;
}

/** Checks a selection against a shape; axes not given are selected whole. */
export function normalizeSelection(
  shape: readonly number[],
  ranges: readonly (AxisRange | undefined)[],
  where: string,
): NormalizedRange[] {
  if (ranges.length > shape.length) {
    throw new LabError(
      'bad-request',
      `${where}: a selection of ${ranges.length} axes does not fit an array of shape (${shape.join(', ')})`,
      'Select at most one range per axis.',
    );
  }
  return shape.map((dim, axis) => {
    const range = ranges[axis];
    if (range === undefined) return { start: 0, step: 1, count: dim };
    const step = range.step ?? 1;
    const { start, stop } = range;
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(stop) ||
      !Number.isInteger(step) ||
      step < 1 ||
      start < 0 ||
      stop > dim ||
      stop < start
    ) {
      throw new LabError(
        'bad-request',
        `${where}: range ${start}:${stop}:${step} is outside axis ${axis} of length ${dim}`,
        'Use integer ranges with 0 <= start <= stop <= length and a positive step.',
      );
    }
    return { start, step, count: Math.ceil((stop - start) / step) };
  });
}

/** Element strides of a stored array, in elements. */
export function storageStrides(shape: readonly number[], order: StorageOrder): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  if (order === 'C') {
    for (let i = shape.length - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  } else {
    for (let i = 1; i < shape.length; i++) strides[i] = strides[i - 1]! * shape[i - 1]!;
  }
  return strides;
}

export function planRuns(
  shape: readonly number[],
  order: StorageOrder,
  itemSize: number,
  selection: readonly NormalizedRange[],
): RunPlan {
  const rank = shape.length;
  const selectedShape = selection.map((r) => r.count);
  const total = selectedShape.reduce((a, b) => a * b, 1);
  if (total === 0) return { offsets: new Float64Array(0), runLength: 0, shape: selectedShape, totalBytes: 0 };
  const strides = storageStrides(shape, order);
  // Axes from the fastest-varying in storage to the slowest.
  const inner2outer = order === 'C' ? [...Array(rank).keys()].reverse() : [...Array(rank).keys()];
  let runElements = 1;
  let base = 0;
  let k = 0;
  for (; k < rank; k++) {
    const axis = inner2outer[k]!;
    const r = selection[axis]!;
    if (r.start === 0 && r.step === 1 && r.count === shape[axis]) runElements *= r.count;
    else break;
  }
  if (k < rank && selection[inner2outer[k]!]!.step === 1) {
    const axis = inner2outer[k]!;
    runElements *= selection[axis]!.count;
    base += selection[axis]!.start * strides[axis]!;
    k++;
  }
  const outer = inner2outer.slice(k); // enumerated, fastest first
  let runs = 1;
  for (const axis of outer) runs *= selection[axis]!.count;
  const offsets = new Float64Array(runs);
  const counter = new Array<number>(outer.length).fill(0);
  for (const axis of outer) base += selection[axis]!.start * strides[axis]!;
  let offset = base;
  for (let i = 0; i < runs; i++) {
    offsets[i] = offset * itemSize;
    // Odometer over the outer axes, fastest first.
    for (let j = 0; j < outer.length; j++) {
      const axis = outer[j]!;
      const r = selection[axis]!;
      if (++counter[j]! < r.count) {
        offset += r.step * strides[axis]!;
        break;
      }
      offset -= (r.count - 1) * r.step * strides[axis]!;
      counter[j] = 0;
    }
  }
  return { offsets, runLength: runElements * itemSize, shape: selectedShape, totalBytes: runs * runElements * itemSize };
}

/** Reorders a Fortran-order array of `shape` into C order. */
export function fortranToC(values: NumericArray, shape: readonly number[], dtype: DType): NumericArray {
  const rank = shape.length;
  if (rank <= 1 || values.length <= 1) return values;
  const out = allocateDecoded(dtype, values.length);
  const fStrides = storageStrides(shape, 'F');
  const last = rank - 1;
  const innerCount = shape[last]!;
  const innerStride = fStrides[last]!;
  const counter = new Array<number>(rank - 1).fill(0);
  const outerCount = values.length / innerCount;
  let src = 0;
  let dst = 0;
  for (let o = 0; o < outerCount; o++) {
    for (let i = 0, s = src; i < innerCount; i++, s += innerStride) out[dst++] = values[s]!;
    // Advance the C-order odometer over axes 0..rank-2, the fastest being rank-2.
    for (let axis = last - 1; axis >= 0; axis--) {
      if (++counter[axis]! < shape[axis]!) {
        src += fStrides[axis]!;
        break;
      }
      src -= (shape[axis]! - 1) * fStrides[axis]!;
      counter[axis] = 0;
    }
  }
  return out;
}
