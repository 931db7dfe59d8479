/**
 * Checks the dataset registry runs on imported data before storing it. Each failure is a LabError that names
 * the file (or split) and the first offending place, and says what to do.
 */
import { MAX_CLASSES } from '../../../../shared/contract/index.ts';
import { LabError } from '../../../../shared/errors.ts';
import type { NumericArray } from '../../../../array-io/index.ts';
import type { SplitData, TaskData, TaskKind } from './task-data.ts';

/** Index of the first NaN or infinity, or -1. */
export function firstNonFinite(values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // v - v is NaN exactly for NaN and +-Infinity, and costs less than Number.isFinite in this loop.
    if (v - v !== 0) return i;
  }
  return -1;
}

/**
 * Refuses NaN/Inf. `sampleSize` (values per sample) lets the message name the sample too; `firstSample` is the
 * index of the first sample in `values` when they are one batch of a larger array.
 */
export function assertFinite(values: ArrayLike<number>, where: string, what: string, sampleSize?: number, firstSample = 0): void {
  const local = firstNonFinite(values);
  if (local < 0) return;
  const per = sampleSize !== undefined && sampleSize > 0 ? sampleSize : 0;
  const at = firstSample * per + local;
  const place = per > 0 ? ` (sample ${Math.floor(at / per)}, element ${at % per})` : '';
  throw new LabError(
    'bad-request',
    `${where}: ${what} hold ${String(values[local])} at index ${at}${place}`,
    'Remove or impute missing and infinite values before importing; P-DASH Lab does not guess them.',
  );
}

/** The number of samples, after checking that inputs and targets describe the same number. */
export function assertSampleCounts(xCount: number, yCount: number, where: string): number {
  if (xCount !== yCount) {
    throw new LabError(
      'bad-request',
      `${where}: ${xCount} input samples but ${yCount} targets`,
      'Give exactly one target (label or field) per input sample.',
    );
  }
  return xCount;
}

/** Class labels as Int32Array, refusing non-integers and labels outside 0..numClasses-1. */
export function toClassLabels(values: ArrayLike<number>, numClasses: number, where: string): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new LabError(
        'bad-request',
        `${where}: label ${String(v)} at index ${i} is ${Number.isInteger(v) ? `outside 0..${numClasses - 1}` : 'not an integer'}`,
        `Labels must be integers 0..${numClasses - 1} (${numClasses} classes); re-encode them, or set the number of classes.`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** Refuses sample shapes that a task kind cannot use (the engine's TaskSpec rules). */
export function assertShapesFitKind(kind: TaskKind, xShape: readonly number[], yShape: readonly number[], where: string): void {
  const show = (s: readonly number[]): string => `[${s.join(', ')}]`;
  if (!xShape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new LabError('bad-request', `${where}: input shape ${show(xShape)} has an empty or non-integer axis`, 'Every axis of a sample needs at least one element.');
  }
  if (kind === 'classification') {
    if (xShape.length !== 2 && xShape.length !== 3) {
      throw new LabError(
        'bad-request',
        `${where}: classification needs samples of shape [length, channels] (1-D) or [height, width, channels] (2-D), got ${show(xShape)}`,
        'Reshape the inputs: add a channel axis of 1 for single-channel data, or flatten extra axes into channels.',
      );
    }
    if (yShape.length !== 0) {
      throw new LabError('bad-request', `${where}: classification needs one integer label per sample, got targets of shape ${show(yShape)}`, 'Store the labels as a 1-D array of class indices (not one-hot).');
    }
    return;
  }
  if (xShape.length !== 3) {
    throw new LabError(
      'bad-request',
      `${where}: dense regression works on 2-D fields [height, width, channels], got inputs of shape ${show(xShape)}`,
      'Use 2-D fields with a channel axis, or import the data as a classification task.',
    );
  }
  const fits = (yShape.length === 2 || yShape.length === 3) && yShape[0] === xShape[0] && yShape[1] === xShape[1] && yShape.every((d) => Number.isInteger(d) && d >= 1);
  if (!fits) {
    throw new LabError(
      'bad-request',
      `${where}: dense regression needs targets of shape [${xShape[0]}, ${xShape[1]}] or [${xShape[0]}, ${xShape[1]}, channels] to match inputs ${show(xShape)}, got ${show(yShape)}`,
      'Give each input field a target field of the same height and width.',
    );
  }
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function checkSplit(task: TaskData, split: SplitData, where: string): void {
  const xSize = size(task.xShape);
  const ySize = size(task.yShape);
  if (split.x.length !== split.n * xSize) {
    throw new LabError('bad-request', `${where}: ${split.x.length} input values do not make ${split.n} samples of shape [${task.xShape.join(', ')}]`, 'The inputs and the sample shape disagree; check the shape the data was read with.');
  }
  assertSampleCounts(split.n, split.y.length / ySize, where);
  if (split.groups !== undefined && split.groups.length !== split.n) {
    throw new LabError('bad-request', `${where}: ${split.groups.length} group ids for ${split.n} samples`, 'Give one group (source record) id per sample.');
  }
  assertFinite(split.x, where, 'inputs', xSize);
  if (task.kind === 'classification') toClassLabels(split.y as ArrayLike<number>, task.classes?.length ?? 0, where);
  else assertFinite(split.y, where, 'targets', ySize);
}

/** Every check at once, over every split; `where` names the dataset or file. */
export function validateTaskData(task: TaskData, where: string): void {
  assertShapesFitKind(task.kind, task.xShape, task.yShape, where);
  if (task.kind === 'classification' && (task.classes === undefined || task.classes.length < 2)) {
    throw new LabError('bad-request', `${where}: a classification task needs at least 2 classes`, 'Name the classes the labels index.');
  }
  if (task.kind === 'classification' && task.classes!.length > MAX_CLASSES) {
    throw new LabError('bad-request', `${where}: ${task.classes!.length} classes is more than the ${MAX_CLASSES} the lab supports`, 'Merge rare classes, or split the task.');
  }
  for (const name of ['train', 'val', 'test'] as const) {
    const split = task.splits[name];
    if (split.n === 0) throw new LabError('bad-request', `${where} (${name}): the ${name} split is empty`, 'Every split needs at least one sample; adjust the split sizes.');
    checkSplit(task, split, `${where} (${name})`);
  }
}

/**
 * Converts decoded values to Float32Array, refusing NaN/Inf with their place. The float32 copy is checked as
 * well: a finite float64 beyond float32's range (1e300) would become Infinity there.
 */
export function toFiniteFloat32(values: NumericArray, where: string, what: string, sampleSize?: number): Float32Array {
  assertFinite(values, where, what, sampleSize);
  const stored = values instanceof Float32Array ? values : Float32Array.from(values);
  const overflow = firstNonFinite(stored);
  if (overflow >= 0) {
    throw new LabError(
      'bad-request',
      `${where}: ${what} hold ${String(values[overflow])} at index ${overflow}, beyond float32's range (±3.4e38)`,
      'Rescale the values before importing: the lab stores and trains in float32.',
    );
  }
  return stored;
}
