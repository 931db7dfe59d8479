import { describe, expect, it } from 'vitest';
import { MAX_CLASSES } from '../../../../../../src/shared/contract/datasets.ts';
import { LabError } from '../../../../../../src/shared/errors.ts';
import { decodePointwise, encodePointwise, pointwiseStats } from '../../../../../../src/main/core/datasets/preprocess/normalize.ts';
import type { TaskData } from '../../../../../../src/main/core/datasets/preprocess/task-data.ts';
import {
  assertFinite,
  assertSampleCounts,
  assertShapesFitKind,
  firstNonFinite,
  toClassLabels,
  toFiniteFloat32,
  validateTaskData,
} from '../../../../../../src/main/core/datasets/preprocess/validate.ts';

function labError(fn: () => unknown): LabError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).hint).toBeTruthy();
    return error as LabError;
  }
  throw new Error('expected a LabError');
}

function task(overrides: Partial<TaskData> = {}): TaskData {
  const split = () => ({ x: new Float32Array(2 * 4 * 1), y: Int32Array.of(0, 1), n: 2 });
  return {
    kind: 'classification',
    splits: { train: split(), val: split(), test: split() },
    xShape: [4, 1],
    yShape: [],
    classes: ['a', 'b'],
    metric: { name: 'error', direction: 'minimize' },
    details: {},
    ...overrides,
  };
}

describe('validation helpers', () => {
  it('finds the first NaN or infinity and names file, index and sample', () => {
    expect(firstNonFinite(Float32Array.of(1, 2, 3))).toBe(-1);
    expect(firstNonFinite(Float32Array.of(1, Infinity, NaN))).toBe(1);
    const error = labError(() => assertFinite(Float64Array.of(0, 1, 2, 3, NaN, 5), 'x.npy', 'inputs', 2));
    expect(error.message).toBe('x.npy: inputs hold NaN at index 4 (sample 2, element 0)');
    const batch = labError(() => assertFinite(Float32Array.of(0, -Infinity), 'x.npy', 'inputs', 2, 10));
    expect(batch.message).toBe('x.npy: inputs hold -Infinity at index 21 (sample 10, element 1)');
  });

  it('refuses finite float64 values that float32 cannot hold (they would be stored as Infinity)', () => {
    expect(Array.from(toFiniteFloat32(Float64Array.of(1, -3.4e38), 'a.mat', 'coefficients'))).toEqual([1, Math.fround(-3.4e38)]);
    const error = labError(() => toFiniteFloat32(Float64Array.of(0, 1e300), 'a.mat', 'coefficients'));
    expect(error.message).toBe("a.mat: coefficients hold 1e+300 at index 1, beyond float32's range (±3.4e38)");
  });

  it('refuses mismatched sample counts', () => {
    expect(assertSampleCounts(5, 5, 'f')).toBe(5);
    expect(labError(() => assertSampleCounts(5, 4, 'x.npy and y.npy')).message).toBe('x.npy and y.npy: 5 input samples but 4 targets');
  });

  it('refuses labels out of range or not integers', () => {
    expect(Array.from(toClassLabels(Float64Array.of(0, 3, 1), 4, 'y'))).toEqual([0, 3, 1]);
    expect(labError(() => toClassLabels(Float64Array.of(0, 4), 4, 'y.npy')).message).toBe('y.npy: label 4 at index 1 is outside 0..3');
    expect(labError(() => toClassLabels(Float64Array.of(-1), 4, 'y.npy')).message).toMatch(/label -1 at index 0 is outside/);
    expect(labError(() => toClassLabels(Float64Array.of(1.5), 4, 'y.npy')).message).toMatch(/label 1.5 at index 0 is not an integer/);
    expect(labError(() => toClassLabels(Float64Array.of(0, NaN), 4, 'y.npy')).message).toBe('y.npy: label NaN at index 1 is not an integer');
    expect(labError(() => toClassLabels(Float64Array.of(-Infinity), 4, 'y.npy')).message).toBe('y.npy: label -Infinity at index 0 is not an integer');
  });

  it('refuses shapes a task kind cannot use', () => {
    assertShapesFitKind('classification', [1000, 1], [], 'ok');
    assertShapesFitKind('classification', [16, 52, 1], [], 'ok');
    assertShapesFitKind('dense-regression', [85, 85, 3], [85, 85, 1], 'ok');
    expect(labError(() => assertShapesFitKind('classification', [10], [], 'f')).message).toMatch(/classification needs samples of shape \[length, channels\]/);
    expect(labError(() => assertShapesFitKind('classification', [10, 1], [3], 'f')).message).toMatch(/one integer label per sample/);
    expect(labError(() => assertShapesFitKind('dense-regression', [100, 1], [100, 1], 'f')).message).toMatch(/dense regression works on 2-D fields/);
    expect(labError(() => assertShapesFitKind('dense-regression', [8, 8, 3], [8, 7], 'f')).message).toMatch(/targets of shape \[8, 8\].*got \[8, 7\]/);
    expect(labError(() => assertShapesFitKind('classification', [0, 1], [], 'f')).message).toMatch(/empty or non-integer axis/);
  });

  it('validates a whole task and names the split', () => {
    validateTaskData(task(), 'ds');
    const bad = task();
    bad.splits.val.y = Int32Array.of(0, 2);
    expect(labError(() => validateTaskData(bad, 'ds')).message).toBe('ds (val): label 2 at index 1 is outside 0..1');
    const nan = task();
    nan.splits.test.x[5] = NaN;
    expect(labError(() => validateTaskData(nan, 'ds')).message).toBe('ds (test): inputs hold NaN at index 5 (sample 1, element 1)');
    const short = task();
    short.splits.train.x = new Float32Array(7);
    expect(labError(() => validateTaskData(short, 'ds')).message).toMatch(/ds \(train\): 7 input values do not make 2 samples of shape \[4, 1\]/);
    const empty = task();
    empty.splits.val = { x: new Float32Array(0), y: new Int32Array(0), n: 0 };
    expect(labError(() => validateTaskData(empty, 'ds')).message).toMatch(/the val split is empty/);
  });

  it('refuses more classes than MAX_CLASSES, as an import of files would', () => {
    const many = task({ classes: Array.from({ length: MAX_CLASSES + 1 }, (_, i) => `c${i}`) });
    expect(labError(() => validateTaskData(many, 'ds')).message).toBe(`ds: ${MAX_CLASSES + 1} classes is more than the ${MAX_CLASSES} the lab supports`);
    validateTaskData(task({ classes: Array.from({ length: MAX_CLASSES }, (_, i) => `c${i}`) }), 'ds');
  });
});

describe('pointwise normalisation', () => {
  it('uses the sample standard deviation per position and round-trips', () => {
    // 3 samples of 2 positions: position 0 = 1, 2, 3 (mean 2, std 1); position 1 = 5, 5, 5 (std 0).
    const values = Float32Array.of(1, 5, 2, 5, 3, 5);
    const stats = pointwiseStats(values, 3, 1e-5);
    expect(Array.from(stats.mean)).toEqual([2, 5]);
    expect(Array.from(stats.std)).toEqual([1, 0]);
    const encoded = encodePointwise(values.slice(), stats);
    expect(encoded[0]).toBeCloseTo(-1 / (1 + 1e-5), 6);
    expect(encoded[1]).toBe(0);
    expect(Array.from(decodePointwise(encoded, stats)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual(Array.from(values));
  });
});
