import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../../../../src/shared/errors.ts';
import { readDarcyMat } from '../../../../../../src/main/core/datasets/preprocess/darcy.ts';
import { classStride, readEcgPickle, splitRecordings } from '../../../../../../src/main/core/datasets/preprocess/ecg.ts';
import { decodePointwise } from '../../../../../../src/main/core/datasets/preprocess/normalize.ts';
import { readNinaproDir } from '../../../../../../src/main/core/datasets/preprocess/ninapro.ts';
import { validateTaskData } from '../../../../../../src/main/core/datasets/preprocess/validate.ts';
import { mat5Bytes } from '../../../../array-io/reference-mat.ts';
import { encodeElements, npyBytes } from '../../../../array-io/reference-npy.ts';
import { dumps, py } from '../../../../array-io/reference-pickle.ts';
import { useTempDir } from '../temp-dir.ts';

const temp = useTempDir('readers');
const fixtures = fileURLToPath(new URL('../../../../../fixtures/datasets/pickle/', import.meta.url));

async function rejection(promise: Promise<unknown>): Promise<LabError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(LabError);
  return error as LabError;
}

describe('readNinaproDir', () => {
  const counts = { train: 5, val: 2, test: 3 };
  const value = (split: number, n: number, t: number, e: number) => split * 10000 + n * 1000 + t * 16 + e;

  function writeNinapro(dir: string, labels: Record<string, number[]> = {}): void {
    mkdirSync(dir, { recursive: true });
    Object.entries(counts).forEach(([split, n], s) => {
      const values: number[] = [];
      for (let i = 0; i < n; i++) for (let t = 0; t < 52; t++) for (let e = 0; e < 16; e++) values.push(value(s, i, t, e));
      writeFileSync(`${dir}/ninapro_${split}.npy`, npyBytes({ descr: '<f4', shape: [n, 52, 16], data: encodeElements(values, 'f4', true) }));
      const y = labels[split] ?? Array.from({ length: n }, (_, i) => (i * 7 + s) % 18);
      writeFileSync(`${dir}/label_${split}.npy`, npyBytes({ descr: '<i8', shape: [n], data: encodeElements(y, 'i8', true) }));
    });
  }

  it('transposes (N, 52, 16) windows to [16, 52, 1] samples and reads labels 0..17', async () => {
    const dir = temp('ninapro');
    writeNinapro(dir);
    const task = await readNinaproDir(dir);
    validateTaskData(task, dir);
    expect(task.xShape).toEqual([16, 52, 1]);
    expect(task.classes).toHaveLength(18);
    expect(task.metric).toEqual({ name: 'error', direction: 'minimize' });
    expect(task.splits.test.n).toBe(3);
    // Sample 2 of test, electrode 5, time step 40.
    expect(task.splits.test.x[2 * 832 + 5 * 52 + 40]).toBe(value(2, 2, 40, 5));
    expect(task.splits.train.x[4 * 832 + 15 * 52 + 51]).toBe(value(0, 4, 51, 15));
    expect(Array.from(task.splits.val.y)).toEqual([1, 8]);
  });

  it('names missing files and out-of-range labels', async () => {
    const dir = temp('ninapro-bad');
    writeNinapro(dir, { val: [3, 18] });
    expect((await rejection(readNinaproDir(dir))).message).toMatch(/label_val\.npy: label 18 at index 1 is outside 0\.\.17/);
    const empty = temp('empty');
    mkdirSync(empty);
    const missing = await rejection(readNinaproDir(empty));
    expect(missing.code).toBe('not-found');
    expect(missing.message).toMatch(/missing ninapro_train\.npy, label_train\.npy, ninapro_val\.npy/);
  });
});

describe('readDarcyMat', () => {
  // 12 samples of 11 x 11; stride 5 keeps rows/columns 0, 5, 10.
  const n = 12;
  const side = 11;
  const a = (s: number, i: number, j: number) => ((s + i * 3 + j * 7) % 4 === 0 ? 12 : 3);
  const u = (s: number, i: number, j: number) => Math.sin(s + 1) * i * (side - 1 - i) * j * (side - 1 - j) * 1e-3 + s * 0.01;
  function field(f: (s: number, i: number, j: number) => number, count = n, offset = 0): number[] {
    const out: number[] = [];
    for (let s = 0; s < count; s++) for (let i = 0; i < side; i++) for (let j = 0; j < side; j++) out.push(f(s + offset, i, j));
    return out;
  }

  function writeDarcy(name: string, count: number, offset = 0, compress = false): string {
    const path = temp(name);
    writeFileSync(path, mat5Bytes([
      { name: 'coeff', matlabClass: 'double', dims: [count, side, side], values: field(a, count, offset), compress },
      { name: 'sol', matlabClass: 'double', dims: [count, side, side], values: field(u, count, offset), compress },
    ]));
    return path;
  }

  it('one file: subsamples every 5th point, builds [a, x, y], normalises with train statistics', async () => {
    const task = await readDarcyMat(writeDarcy('darcy.mat', n, 0, true), { nval: 2, ntest: 3 });
    validateTaskData(task, 'darcy');
    expect(task.kind).toBe('dense-regression');
    expect(task.xShape).toEqual([3, 3, 3]);
    expect(task.yShape).toEqual([3, 3, 1]);
    expect([task.splits.train.n, task.splits.val.n, task.splits.test.n]).toEqual([7, 2, 3]);
    const keep = [0, 5, 10];
    // The train statistics of a at point (1, 2) -> original (5, 10), computed here independently.
    const train = Array.from({ length: 7 }, (_, s) => a(s, 5, 10));
    const mean = train.reduce((x, y) => x + y, 0) / 7;
    const std = Math.sqrt(train.reduce((x, y) => x + (y - mean) ** 2, 0) / 6);
    // Test sample 1 is file sample 10.
    const at = (1 * 9 + 1 * 3 + 2) * 3;
    expect(task.splits.test.x[at]).toBeCloseTo((a(10, 5, 10) - mean) / (std + 1e-5), 5);
    expect(task.splits.test.x[at + 1]).toBe(1); // x: column 2 of 3
    expect(task.splits.test.x[at + 2]).toBe(0.5); // y: row 1 of 3
    // Undoing the target normalisation gives u at the kept points.
    const y = decodePointwise(Float32Array.from(task.splits.test.y), task.targetNormalization!);
    const expected = [9, 10, 11].flatMap((s) => keep.flatMap((i) => keep.map((j) => u(s, i, j))));
    expect(Array.from(y).every((v, k) => Math.abs(v - expected[k]!) < 1e-5)).toBe(true);
    // Train targets are normalised: each point's mean over train is ~0.
    const perPoint = Array.from({ length: 9 }, (_, p) => Array.from({ length: 7 }, (_, s) => task.splits.train.y[s * 9 + p]!).reduce((x, v) => x + v, 0) / 7);
    expect(perPoint.every((m) => Math.abs(m) < 1e-5)).toBe(true);
  });

  it('two files: train and val from the training file, test from the test file', async () => {
    const train = writeDarcy('smooth1.mat', n);
    const test = writeDarcy('smooth2.mat', 4, 100);
    const task = await readDarcyMat({ train, test }, { ntrain: 8, nval: 4, ntest: 4 });
    expect([task.splits.train.n, task.splits.val.n, task.splits.test.n]).toEqual([8, 4, 4]);
    const y = decodePointwise(Float32Array.from(task.splits.test.y), task.targetNormalization!);
    expect(y[0]).toBeCloseTo(u(100, 0, 0), 5);
    expect(y[9 + 4]).toBeCloseTo(u(101, 5, 5), 5);
    expect(task.details.testFile).toBe(test);
  });

  it('refuses splits larger than the file, and files without coeff/sol', async () => {
    const path = writeDarcy('small.mat', n);
    expect((await rejection(readDarcyMat(path))).message).toMatch(/holds 12 samples; val 100 \+ test 100 leave none for training/);
    expect((await rejection(readDarcyMat(path, { ntrain: 9, nval: 2, ntest: 2 }))).message).toMatch(/holds 12 samples, but the splits need 13/);
    expect((await rejection(readDarcyMat({ train: path, test: path }, { ntrain: 10, nval: 5 }))).message).toMatch(/holds 12 samples, but the splits need 15/);
    const other = temp('other.mat');
    writeFileSync(other, mat5Bytes([{ name: 'a', matlabClass: 'double', dims: [1, 1], values: [1] }]));
    expect((await rejection(readDarcyMat(other))).message).toMatch(/no variable named 'coeff'/);
  });
});

describe('readEcgPickle', () => {
  const lengths = [2600, 2600, 2600, 2600, 1000, 1001, 3000, 2999, 2500, 4000];
  const labels = ['N', 'A', 'O', '~', 'N', 'N', 'A', 'O', '~', 'N'];
  const recording = (r: number) => Array.from({ length: lengths[r]! }, (_, i) => Math.round(300 * Math.sin(i / (20 + r)) + r * 40 + (i % 7)));

  function writeEcg(name: string, protocol: 2 | 3 | 4 | 5): string {
    const path = temp(name);
    writeFileSync(path, dumps(py.dict([
      [py.str('data'), py.objarray(lengths.map((_, r) => py.ndarray('<i2', [lengths[r]!], encodeElements(recording(r), 'i2', true))))],
      [py.str('label'), py.objarray(labels.map(py.str))],
    ]), { protocol, numpyCore: 'numpy.core' }));
    return path;
  }

  function zscored(r: number): number[] {
    const v = recording(r);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    return v.map((x) => (x - mean) / std);
  }

  it('z-scores, splits by recording, and cuts windows with class strides N 500, A 83, O 250, ~ 25', async () => {
    expect([0, 1, 2, 3].map((c) => classStride(c, 500))).toEqual([500, 83, 250, 25]);
    const task = await readEcgPickle(writeEcg('ecg.pkl', 3), { seed: 1, heldOutFraction: 0.3 });
    validateTaskData(task, 'ecg');
    expect(task.xShape).toEqual([1000, 1]);
    expect(task.classes).toEqual(['N', 'A', 'O', '~']);
    expect(task.metric.name).toBe('one-minus-macro-f1');
    const groups = [task.splits.train, task.splits.val, task.splits.test].map((s) => new Set(s.groups));
    // 30% of 10 recordings held out: 3, of which 2 test and 1 val; no recording reaches two splits.
    expect(task.details.recordings).toEqual({ train: 7, val: 1, test: 2 });
    const all = [...groups[0]!, ...groups[1]!, ...groups[2]!];
    expect(new Set(all).size).toBe(all.length);
    // Windows per recording: starts 0, stride, ... below length - 1000.
    const expectedWindows = (r: number) => Math.max(0, Math.ceil((lengths[r]! - 1000) / classStride(['N', 'A', 'O', '~'].indexOf(labels[r]!), 500)));
    for (const split of [task.splits.train, task.splits.val, task.splits.test]) {
      const perRecording = new Map<number, number>();
      for (const g of split.groups!) perRecording.set(g, (perRecording.get(g) ?? 0) + 1);
      for (const [r, count] of perRecording) expect(count).toBe(expectedWindows(r));
    }
    expect(expectedWindows(0)).toBe(4);
    expect(expectedWindows(1)).toBe(20);
    expect(expectedWindows(4)).toBe(0); // a recording of exactly 1000 samples gives no window
    // The third window of some A recording starts at 2 * 83 and holds its z-scored samples.
    const split = [task.splits.train, task.splits.val, task.splits.test].find((s) => Array.from(s.groups!).includes(6))!;
    const first = Array.from(split.groups!).indexOf(6);
    expect(split.y[first]).toBe(1);
    const window = Array.from(split.x.subarray((first + 2) * 1000, (first + 3) * 1000));
    const z = zscored(6).slice(166, 1166);
    expect(window.every((v, i) => Math.abs(v - z[i]!) < 1e-5)).toBe(true);
  });

  it('is deterministic for a seed, and another seed splits differently', async () => {
    const path = writeEcg('ecg5.pkl', 5);
    const a = await readEcgPickle(path, { seed: 3 });
    const b = await readEcgPickle(writeEcg('ecg2.pkl', 2), { seed: 3 });
    expect(Array.from(a.splits.train.groups!)).toEqual(Array.from(b.splits.train.groups!));
    expect(Buffer.from(a.splits.train.x.buffer).equals(Buffer.from(b.splits.train.x.buffer))).toBe(true);
    const splits = Array.from({ length: 8 }, (_, seed) => Array.from(splitRecordings(100, seed).test).join());
    expect(new Set(splits).size).toBe(8);
  });

  it('reads the pickle Python wrote (shorter windows for its short recordings)', async () => {
    const expected = JSON.parse(readFileSync(`${fixtures}ecg_small.json`, 'utf8')) as { data: number[][]; label: string[] };
    const task = await readEcgPickle(`${fixtures}ecg_small_p4.pkl`, { windowSize: 30, baseStride: 20, heldOutFraction: 0.34, seed: 2 });
    const windows = expected.data.reduce((k, r, i) => k + Math.max(0, Math.ceil((r.length - 30) / classStride('NAO~'.indexOf(expected.label[i]!), 20))), 0);
    expect(task.splits.train.n + task.splits.val.n + task.splits.test.n).toBe(windows);
  });

  it('refuses pickles that are not ECG data, naming the problem', async () => {
    const wrongLabel = temp('wrong-label.pkl');
    writeFileSync(wrongLabel, dumps(py.dict([
      [py.str('data'), py.objarray([py.ndarray('<i2', [3], encodeElements([1, 2, 3], 'i2', true))])],
      [py.str('label'), py.objarray([py.str('X')])],
    ]), { protocol: 4 }));
    expect((await rejection(readEcgPickle(wrongLabel))).message).toMatch(/label 0 is "X", not one of N, A, O, ~/);
    const noData = temp('no-data.pkl');
    writeFileSync(noData, dumps(py.dict([[py.str('label'), py.list([])]]), { protocol: 4 }));
    expect((await rejection(readEcgPickle(noData))).message).toMatch(/the dict has no 'data' entry/);
  });
});
