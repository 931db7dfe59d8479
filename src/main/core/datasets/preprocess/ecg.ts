/**
 * NAS-Bench-360's ECG task from `challenge2017.pkl` (PhysioNet/CinC Challenge 2017, prepared by the resnet1d
 * code NAS-Bench-360 uses): a pickled dict {data: 8,528 variable-length recordings at 300 Hz, label: 'N', 'A',
 * 'O' or '~' each}. As NAS-Bench-360 prepares it:
 *  - each recording is z-scored on its own (population std, as numpy's std);
 *  - recordings, not windows, are split, so no recording's windows reach two splits: 10% are held out, half of
 *    them for test (rounding up) and the rest for val. The split is seeded (the reference used scikit-learn's
 *    train_test_split with random_state 0, whose permutation this does not reproduce);
 *  - windows of 1000 samples are cut with a stride that depends on the class, to balance them: N 500, A 83,
 *    O 250, ~ 25 (base stride 500 divided by 1, 6, 2, 20), at starts 0, stride, ... below length - 1000, as the
 *    reference's range(0, len - window, stride) does (a recording of exactly 1000 samples gives no window);
 *  - labels N/A/O/~ become 0..3. The metric is 1 - macro F1.
 */
import { readFile } from 'node:fs/promises';
import { SeededRandom } from '../../../../shared/engine/index.ts';
import { LabError } from '../../../../shared/errors.ts';
import { NdArray, PickleTuple, unpickle, type PickleValue } from '../../../../array-io/index.ts';
import type { SplitData, TaskData } from './task-data.ts';

export const ecgClasses = ['N', 'A', 'O', '~'] as const;
/** Each class's stride is the base stride divided by this (integer division). */
export const ecgStrideDivisors = [1, 6, 2, 20] as const;

export interface EcgOptions {
  /** Seeds the split of recordings (default 0). */
  seed?: number;
  windowSize?: number;
  baseStride?: number;
  /** Share of recordings held out for val + test (default 0.1). */
  heldOutFraction?: number;
}

export interface EcgRecordings {
  recordings: ArrayLike<number>[];
  labels: Int32Array;
}

export function classStride(label: number, baseStride: number): number {
  return Math.max(1, Math.floor(baseStride / ecgStrideDivisors[label]!));
}

/** (x - mean) / std over one recording, in float64; a flat recording (std 0) becomes zeros. */
export function zScore(recording: ArrayLike<number>): Float32Array {
  const n = recording.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += recording[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (recording[i]! - mean) ** 2;
  const std = Math.sqrt(squares / n);
  const out = new Float32Array(n);
  if (std > 0) for (let i = 0; i < n; i++) out[i] = (recording[i]! - mean) / std;
  return out;
}

/** Recording indices of each split, ascending: a seeded permutation, test first, then val, the rest train. */
export function splitRecordings(count: number, seed: number, heldOutFraction = 0.1): { train: Int32Array; val: Int32Array; test: Int32Array } {
  const heldOut = Math.ceil(count * heldOutFraction);
  const ntest = Math.ceil(heldOut / 2);
  const nval = heldOut - ntest;
  const order = new SeededRandom(seed).fork('ecg-split').permutation(count);
  const sorted = (a: Int32Array): Int32Array => a.slice().sort();
  return {
    test: sorted(order.subarray(0, ntest)),
    val: sorted(order.subarray(ntest, ntest + nval)),
    train: sorted(order.subarray(ntest + nval)),
  };
}

export interface WindowPlan {
  recording: Int32Array;
  start: Int32Array;
  label: Int32Array;
}

/** Where the windows of the given recordings start (see the module comment for the rule). */
export function planWindows(lengths: ArrayLike<number>, labels: Int32Array, ids: Int32Array, windowSize: number, baseStride: number): WindowPlan {
  const recording: number[] = [];
  const start: number[] = [];
  const label: number[] = [];
  for (const id of ids) {
    const stride = classStride(labels[id]!, baseStride);
    for (let j = 0; j < lengths[id]! - windowSize; j += stride) {
      recording.push(id);
      start.push(j);
      label.push(labels[id]!);
    }
  }
  return { recording: Int32Array.from(recording), start: Int32Array.from(start), label: Int32Array.from(label) };
}

/** Cuts the planned windows out of the (z-scored) recordings. */
export function cutWindows(recordings: readonly Float32Array[], plan: WindowPlan, windowSize: number): SplitData {
  const n = plan.recording.length;
  const x = new Float32Array(n * windowSize);
  for (let w = 0; w < n; w++) {
    const source = recordings[plan.recording[w]!]!;
    x.set(source.subarray(plan.start[w]!, plan.start[w]! + windowSize), w * windowSize);
  }
  return { x, y: plan.label, n, groups: plan.recording };
}

/** The recordings and labels of an unpickled challenge2017-style dict. */
export function ecgRecordingsFromPickle(value: PickleValue, where: string): EcgRecordings {
  const bad = (problem: string): LabError =>
    new LabError(
      'bad-request',
      `${where}: not an ECG pickle as NAS-Bench-360 ships it: ${problem}`,
      "Choose challenge2017.pkl, a pickled dict {'data': list of 1-D arrays, 'label': list of 'N'/'A'/'O'/'~'}.",
    );
  if (!(value instanceof Map)) throw bad('the pickle does not hold a dict');
  const data = value.get('data');
  const label = value.get('label');
  if (data === undefined || label === undefined) throw bad(`the dict has no ${data === undefined ? "'data'" : "'label'"} entry`);
  const recordings = items(data).map((r, i) => {
    if (r instanceof NdArray && r.dtype !== 'object' && r.dtype !== 'unicode' && r.dtype !== 'bytes') return r.data as ArrayLike<number>;
    if (Array.isArray(r) && r.every((v) => typeof v === 'number')) return r as number[];
    throw bad(`recording ${i} is not a numeric array`);
  });
  // A 2-D numeric array (recordings of equal length) arrives as one NdArray.
  const rows = data instanceof NdArray && data.shape.length === 2 && data.dtype !== 'object' ? splitRows(data) : recordings;
  const labelItems = items(label);
  if (labelItems.length !== rows.length) throw bad(`${rows.length} recordings but ${labelItems.length} labels`);
  const labels = new Int32Array(labelItems.length);
  labelItems.forEach((l, i) => {
    const index = typeof l === 'string' ? ecgClasses.indexOf(l.trim() as (typeof ecgClasses)[number]) : typeof l === 'number' && Number.isInteger(l) ? l : -1;
    if (index < 0 || index >= ecgClasses.length) throw bad(`label ${i} is ${JSON.stringify(typeof l === 'bigint' ? String(l) : l)}, not one of N, A, O, ~ (or 0..3)`);
    labels[i] = index;
  });
  rows.forEach((r, i) => {
    for (let k = 0; k < r.length; k++) if (!Number.isFinite(r[k]!)) throw bad(`recording ${i} holds ${String(r[k])} at sample ${k}`);
  });
  return { recordings: rows, labels };
}

function items(value: PickleValue): PickleValue[] {
  if (Array.isArray(value)) return value;
  if (value instanceof PickleTuple) return value.items;
  if (value instanceof NdArray) {
    if (value.dtype === 'object' || value.dtype === 'unicode' || value.dtype === 'bytes') return value.data as PickleValue[];
    if (value.shape.length === 1) return Array.from(value.data as ArrayLike<number>);
    return [];
  }
  return [];
}

function splitRows(array: NdArray): ArrayLike<number>[] {
  const [n, length] = array.shape as [number, number];
  const data = array.data as Float64Array;
  return Array.from({ length: n }, (_, i) => data.subarray(i * length, (i + 1) * length));
}

export async function readEcgPickle(file: string, options: EcgOptions = {}): Promise<TaskData> {
  const value = unpickle(await readFile(file), { where: file });
  return ecgTaskFromRecordings(ecgRecordingsFromPickle(value, file), options, { file });
}

/** z-score, split by recording, cut windows: the whole preparation, given the recordings. */
export function ecgTaskFromRecordings(input: EcgRecordings, options: EcgOptions, details: Record<string, string>): TaskData {
  const seed = options.seed ?? 0;
  const windowSize = options.windowSize ?? 1000;
  const baseStride = options.baseStride ?? 500;
  const heldOutFraction = options.heldOutFraction ?? 0.1;
  if (!Number.isInteger(windowSize) || windowSize < 1 || !Number.isInteger(baseStride) || baseStride < 1) {
    throw new LabError('bad-request', `ECG window size and stride must be positive integers, got ${windowSize} and ${baseStride}`, 'Use 1000 and 500 as NAS-Bench-360 does.');
  }
  const normalised = input.recordings.map(zScore);
  const lengths = input.recordings.map((r) => r.length);
  const ids = splitRecordings(lengths.length, seed, heldOutFraction);
  const split = (which: Int32Array): SplitData => cutWindows(normalised, planWindows(lengths, input.labels, which, windowSize, baseStride), windowSize);
  const splits = { train: split(ids.train), val: split(ids.val), test: split(ids.test) };
  const perClass = (s: SplitData): number[] => ecgClasses.map((_, c) => (s.y as Int32Array).reduce((k, y) => k + (y === c ? 1 : 0), 0));
  return {
    kind: 'classification',
    splits,
    xShape: [windowSize, 1],
    yShape: [],
    classes: [...ecgClasses],
    metric: { name: 'one-minus-macro-f1', direction: 'minimize' },
    details: {
      ...details,
      source: 'PhysioNet/CinC Challenge 2017 (NAS-Bench-360 ECG)',
      seed,
      recordings: { train: ids.train.length, val: ids.val.length, test: ids.test.length },
      windows: { train: perClass(splits.train), val: perClass(splits.val), test: perClass(splits.test) },
      windowSize,
      strides: ecgClasses.map((_, c) => classStride(c, baseStride)),
      flatRecordings: input.recordings.filter((r, i) => normalised[i]!.every((v) => v === 0) && r.length > 0).length,
    },
  };
}
