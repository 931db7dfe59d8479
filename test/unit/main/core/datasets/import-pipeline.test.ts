import { mkdirSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_CLASSES } from '../../../../../src/shared/contract/datasets.ts';
import { LabError } from '../../../../../src/shared/errors.ts';
import { memoryArraySource, readWholeArray, type ArraySource } from '../../../../../src/array-io/array-source.ts';
import { openNpy } from '../../../../../src/array-io/npy.ts';
import { BATCH_BYTES, FULL_PASS_BATCH_BYTES, importIntoFolder, rowsPerBatch, type ImportInput } from '../../../../../src/main/core/datasets/import-pipeline.ts';
import { useTempDir } from './temp-dir.ts';

const tempPath = useTempDir('import-pipeline');
let folders = 0;
function emptyFolder(): string {
  const folder = tempPath(`import-${folders++}`);
  mkdirSync(folder);
  return folder;
}

/** Wraps a source and records the row count of every read, so a test can see how the pipeline batches. */
function recording(source: ArraySource, reads: number[], rowAccess: ArraySource['rowAccess'] = source.rowAccess): ArraySource {
  return {
    path: source.path,
    dtype: source.dtype,
    shape: source.shape,
    order: source.order,
    rowAccess,
    readRows: (start, count) => {
      reads.push(count);
      return source.readRows(start, count);
    },
    readSlab: (ranges) => source.readSlab(ranges),
    close: () => source.close(),
  };
}

/** n samples of `length` x 1 float32 (sample i holds i), labels i % 3. */
function split(name: string, n: number, length: number, reads?: { x: number[]; y: number[] }, rowAccess?: ArraySource['rowAccess']): { x: ArraySource; y: ArraySource } {
  const x = memoryArraySource(`${name}-x.npy`, new Float32Array(n * length).map((_, i) => Math.floor(i / length)), [n, length, 1], 'float32');
  const y = memoryArraySource(`${name}-y.npy`, new Int32Array(n).map((_, i) => i % 3), [n], 'int32');
  return reads ? { x: recording(x, reads.x, rowAccess), y: recording(y, reads.y, rowAccess) } : { x, y };
}

async function refusal(work: Promise<unknown>): Promise<LabError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LabError);
  return error as LabError;
}

describe('import batches are bounded by bytes, not rows', () => {
  it('sizes batches to the byte budget, at least one row', () => {
    expect(rowsPerBatch(5_000_000, false)).toBe(1); // a 20 MB float32 row: one at a time
    expect(rowsPerBatch(100_000_000, false)).toBe(1); // a row above the budget is still read, alone
    expect(rowsPerBatch(1, false)).toBe(BATCH_BYTES / 8);
    expect(rowsPerBatch(1000, false) * 1000 * 8).toBeLessThanOrEqual(BATCH_BYTES);
    expect(rowsPerBatch(1000, true) * 1000 * 8).toBeLessThanOrEqual(FULL_PASS_BATCH_BYTES);
    expect(rowsPerBatch(1000, true)).toBeGreaterThan(rowsPerBatch(1000, false));
  });

  it('reads rows of 600,000 values three at a time (the old pipeline asked for 256 rows whatever their size)', async () => {
    const length = 600_000; // 2.4 MB of float32 per row; 3 rows (with labels) fit 16 MiB at 8 bytes per value
    const reads = { x: [] as number[], y: [] as number[] };
    const input: ImportInput = { kind: 'classification', train: split('train', 10, length, reads), val: split('val', 2, length), test: split('test', 4, length, reads), classes: 3 };
    const folder = emptyFolder();
    const result = await importIntoFolder(input, folder);
    expect(result.splits.train.rows).toBe(10);
    expect(reads.x).toEqual([3, 3, 3, 1, 3, 1]);
    expect(reads.y).toEqual(reads.x);
    // The rows arrive whole and in order.
    const stored = await openNpy(`${folder}/train-x.npy`);
    const values = await readWholeArray(stored);
    await stored.close();
    expect(values[9 * length]).toBe(9);
    expect(values[10 * length - 1]).toBe(9);
  });

  it('carves the same validation rows whatever the batch size', async () => {
    // The carving is index-only (a seeded permutation of row numbers), so batch sizes cannot change which rows go
    // to val: a 20-row train split of big rows (batches of 6) and of small rows (one batch) carve alike.
    const carvedRows = async (length: number): Promise<number[]> => {
      const folder = emptyFolder();
      await importIntoFolder({ kind: 'classification', train: split('train', 20, length), test: split('test', 2, length), classes: 3, valFraction: 0.25, valSeed: 7 }, folder);
      const val = await openNpy(`${folder}/val-x.npy`);
      const values = await readWholeArray(val);
      await val.close();
      return Array.from({ length: 5 }, (_, i) => values[i * length]!);
    };
    const big = await carvedRows(300_000);
    expect(big).toEqual(await carvedRows(4));
    expect(new Set(big).size).toBe(5);
  });

  it("reads a 'full-pass' source (a large deflated .npz member) in larger batches, to make fewer passes", async () => {
    const reads = { x: [] as number[], y: [] as number[] };
    await importIntoFolder({ kind: 'classification', train: split('train', 10, 600_000, reads, 'full-pass'), test: split('test', 2, 600_000), classes: 3 }, emptyFolder());
    expect(reads.x).toEqual([10]);
  });
});

describe('the number of classes', () => {
  it('refuses classes beyond MAX_CLASSES from a caller that bypasses the contract, before allocating per class', async () => {
    const folder = emptyFolder();
    const error = await refusal(importIntoFolder({ kind: 'classification', train: split('train', 10, 4), test: split('test', 2, 4), classes: 2_000_000_000 }, folder));
    expect(error.code).toBe('bad-request');
    expect(error.message).toBe(`The number of classes must be an integer from 1 to ${MAX_CLASSES}, got 2000000000.`);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('infers up to MAX_CLASSES and refuses the first label past it, naming file, row and value', async () => {
    const labels = (last: number) => memoryArraySource('train-y.npy', Float64Array.from({ length: 10 }, (_, i) => (i === 9 ? last : i % 2)), [10], 'float64');
    const x = () => memoryArraySource('train-x.npy', new Float32Array(40), [10, 4, 1], 'float32');
    const test = split('test', 2, 4);
    const atCap = await importIntoFolder({ kind: 'classification', train: { x: x(), y: labels(MAX_CLASSES - 1) }, test }, emptyFolder());
    expect(atCap.classes).toBe(MAX_CLASSES);
    expect(atCap.classCounts!.train).toHaveLength(MAX_CLASSES);
    const error = await refusal(importIntoFolder({ kind: 'classification', train: { x: x(), y: labels(MAX_CLASSES) }, test }, emptyFolder()));
    expect(error.message).toBe(`train-y.npy: label ${MAX_CLASSES} at row 9 is out of range (the lab supports at most ${MAX_CLASSES} classes, labels 0..${MAX_CLASSES - 1}).`);
  });

  it('checks every train label while inferring, past the first batch', async () => {
    const rows = 3 * (BATCH_BYTES / 8) + 5; // labels span four batches
    const y = new Float32Array(rows).map((_, i) => i % 2);
    y[rows - 2] = Number.NaN;
    const train = { x: memoryArraySource('train-x.npy', new Float32Array(rows), [rows, 1, 1], 'float32'), y: memoryArraySource('train-y.npy', y, [rows], 'float32') };
    const error = await refusal(importIntoFolder({ kind: 'classification', train, test: split('test', 2, 1) }, emptyFolder()));
    expect(error.message).toBe(`train-y.npy: label NaN at row ${rows - 2} is not a finite number (labels must be integers 0..C-1).`);
  });
});

describe('values as stored', () => {
  it('refuses a finite float64 beyond float32 range in x and in regression y, naming file, place and value', async () => {
    const x = Float64Array.from({ length: 12 }, (_, i) => i);
    x[7] = -1e300;
    const train = { x: memoryArraySource('train-x.npy', x, [4, 3, 1], 'float64'), y: memoryArraySource('train-y.npy', new Float32Array(4), [4], 'float32') };
    const test = { x: memoryArraySource('test-x.npy', new Float32Array(3), [1, 3, 1], 'float32'), y: memoryArraySource('test-y.npy', new Float32Array(1), [1], 'float32') };
    const xError = await refusal(importIntoFolder({ kind: 'regression', train, test }, emptyFolder()));
    expect(xError.message).toMatch(/^train-x\.npy: value -1e\+300 at .* is beyond float32's range \(±3\.4e38\)\.$/);
    const y = Float64Array.of(0, 1, 2e39, 3);
    const yTrain = { x: memoryArraySource('train-x.npy', new Float32Array(12), [4, 3, 1], 'float32'), y: memoryArraySource('train-y.npy', y, [4], 'float64') };
    const yError = await refusal(importIntoFolder({ kind: 'regression', train: yTrain, test }, emptyFolder()));
    expect(yError.message).toMatch(/^train-y\.npy: value 2e\+39 at .* is beyond float32's range/);
  });

  it('still names NaN as not finite', async () => {
    const x = new Float32Array(12);
    x[4] = Number.NaN;
    const train = { x: memoryArraySource('train-x.npy', x, [4, 3, 1], 'float32'), y: memoryArraySource('train-y.npy', new Float32Array(4), [4], 'float32') };
    const test = { x: memoryArraySource('test-x.npy', new Float32Array(3), [1, 3, 1], 'float32'), y: memoryArraySource('test-y.npy', new Float32Array(1), [1], 'float32') };
    const error = await refusal(importIntoFolder({ kind: 'regression', train, test }, emptyFolder()));
    expect(error.message).toMatch(/^train-x\.npy: value NaN at .* is not finite\.$/);
  });
});
