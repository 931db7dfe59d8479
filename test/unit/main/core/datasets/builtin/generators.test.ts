import { describe, expect, it } from 'vitest';
import { LabError } from '../../../../../../src/shared/errors.ts';
import { builtinTasks, generateDarcySynth, generateEcgSynth, generateNinaproSynth, isBuiltinTaskName, type BuiltinTaskName } from '../../../../../../src/main/core/datasets/builtin/index.ts';
import { gestureElectrodes } from '../../../../../../src/main/core/datasets/builtin/ninapro-synth.ts';
import { decodePointwise } from '../../../../../../src/main/core/datasets/preprocess/normalize.ts';
import type { SplitData, TaskData } from '../../../../../../src/main/core/datasets/preprocess/task-data.ts';
import { validateTaskData } from '../../../../../../src/main/core/datasets/preprocess/validate.ts';

function bytes(task: TaskData): Buffer {
  const parts: Buffer[] = [];
  for (const split of [task.splits.train, task.splits.val, task.splits.test]) {
    parts.push(Buffer.from(split.x.buffer, split.x.byteOffset, split.x.byteLength), Buffer.from(split.y.buffer, split.y.byteOffset, split.y.byteLength));
  }
  return Buffer.concat(parts);
}

const names: BuiltinTaskName[] = ['ecg-synth', 'darcy-synth', 'ninapro-synth'];

describe('built-in tasks', () => {
  for (const name of names) {
    it(`${name} (tiny): valid for its kind; same seed -> identical bytes, another seed -> different`, () => {
      const task = builtinTasks[name].generate({ seed: 7, size: 'tiny' });
      validateTaskData(task, name);
      expect(bytes(builtinTasks[name].generate({ seed: 7, size: 'tiny' })).equals(bytes(task))).toBe(true);
      expect(bytes(builtinTasks[name].generate({ seed: 8, size: 'tiny' })).equals(bytes(task))).toBe(false);
      expect(task.metric.direction).toBe('minimize');
      expect(isBuiltinTaskName(name)).toBe(true);
    });
  }

  it('changing one split size leaves the other splits unchanged', () => {
    const a = generateEcgSynth({ seed: 3, size: 'tiny' });
    const b = generateEcgSynth({ seed: 3, size: 'tiny', counts: { val: 4 } });
    expect(b.splits.val.n).toBe(4);
    expect(Buffer.from(b.splits.train.x.buffer).equals(Buffer.from(a.splits.train.x.buffer))).toBe(true);
    expect(Buffer.from(b.splits.test.x.buffer).equals(Buffer.from(a.splits.test.x.buffer))).toBe(true);
  });

  it('refuses bad sizes and counts with a LabError', () => {
    expect(() => generateNinaproSynth({ seed: 1, counts: { train: 0 } })).toThrow(LabError);
    expect(() => generateNinaproSynth({ seed: 1, size: 'huge' as 'tiny' })).toThrow(/unknown size 'huge'/);
    expect(() => generateDarcySynth({ seed: 1, size: 'tiny', resolution: 2 })).toThrow(/resolution 2 with refine 1 is not a usable grid/);
    expect(() => generateEcgSynth({ seed: Number.NaN })).toThrow(/seed must be a finite number/);
    expect(isBuiltinTaskName('toString')).toBe(false);
  });
});

describe('ecg-synth', () => {
  it('has shape [1000, 1], balanced classes N/A/O/~, z-scored recordings', () => {
    const task = generateEcgSynth({ seed: 1, size: 'tiny' });
    expect(task.xShape).toEqual([1000, 1]);
    expect(task.classes).toEqual(['N', 'A', 'O', '~']);
    expect(task.metric.name).toBe('one-minus-macro-f1');
    const counts = [0, 1, 2, 3].map((c) => Array.from(task.splits.train.y).filter((y) => y === c).length);
    expect(counts).toEqual([16, 16, 16, 16]);
    const first = task.splits.train.x.subarray(0, 1000);
    const mean = first.reduce((a, b) => a + b, 0) / 1000;
    const variance = first.reduce((a, b) => a + (b - mean) ** 2, 0) / 1000;
    expect(Math.abs(mean)).toBeLessThan(1e-5);
    expect(variance).toBeCloseTo(1, 4);
  });

  // The design claim: beat-to-beat intervals (hundreds of samples) separate N from A and O; statistics of single
  // samples and sample-to-sample steps (what a tiny receptive field pooled over the record sees) do not.
  it('needs long receptive fields: RR-interval features separate N/A/O, pooled local features do not', () => {
    const task = generateEcgSynth({ seed: 11, counts: { train: 400, val: 4, test: 4 } });
    const records = recordsOf(task.splits.train);
    const rrVariation = (x: Float32Array) => rrStats(x).variation;
    const worstRatio = (x: Float32Array) => rrStats(x).maxRatio;
    expect(thresholdAccuracy(records, 0, 1, rrVariation, 0.08)).toBeGreaterThan(0.8);
    expect(thresholdAccuracy(records, 0, 2, worstRatio, 1.3)).toBeGreaterThan(0.75);
    expect(nearestCentroidAccuracy(records, 0, 1, localHistogram)).toBeLessThan(0.65);
    expect(nearestCentroidAccuracy(records, 0, 2, localHistogram)).toBeLessThan(0.65);
    expect(nearestCentroidAccuracy(records, 1, 2, localHistogram)).toBeLessThan(0.65);
    // The noisy class is the exception: noise is visible locally.
    expect(nearestCentroidAccuracy(records, 0, 3, localHistogram)).toBeGreaterThan(0.9);
  });
});

describe('darcy-synth', () => {
  it('inputs [a, x, y] with a in {12, 3}; decoded targets satisfy the five-point equations', () => {
    const task = generateDarcySynth({ seed: 5, size: 'tiny' });
    const n = 17;
    expect(task.xShape).toEqual([n, n, 3]);
    expect(task.yShape).toEqual([n, n, 1]);
    expect(task.metric.name).toBe('relative-l2');
    const { x, y } = task.splits.test;
    const input = task.inputNormalization!;
    const a = new Float64Array(n * n);
    for (let p = 0; p < n * n; p++) a[p] = x[3 * p]! * (input.std[3 * p]! + input.eps) + input.mean[3 * p]!;
    for (const v of a) expect([3, 12].some((c) => Math.abs(v - c) < 1e-3)).toBe(true);
    expect(x[3 * (2 * n + 5) + 1]).toBeCloseTo(5 / 16, 6); // x along the width
    expect(x[3 * (2 * n + 5) + 2]).toBeCloseTo(2 / 16, 6); // y along the height
    const u = decodePointwise(Float32Array.from(y.subarray(0, n * n)), task.targetNormalization!);
    // -div(a grad u) = 1 with harmonic-mean faces, checked at every interior node (float32 storage: loose tolerance).
    const h2 = 1 / ((n - 1) * (n - 1));
    const face = (p: number, q: number) => (2 * Math.round(a[p]!) * Math.round(a[q]!)) / (Math.round(a[p]!) + Math.round(a[q]!));
    let worst = 0;
    for (let i = 1; i < n - 1; i++) {
      for (let j = 1; j < n - 1; j++) {
        const p = i * n + j;
        let flux = 0;
        for (const q of [p - 1, p + 1, p - n, p + n]) flux += face(p, q) * (u[p]! - u[q]!);
        worst = Math.max(worst, Math.abs(flux / h2 - 1));
      }
    }
    expect(worst).toBeLessThan(1e-3);
    for (let k = 0; k < n; k++) expect(Math.abs(u[k]!)).toBeLessThan(1e-6);
    expect((task.details.cgIterations as { mean: number }).mean).toBeGreaterThan(10);
  });

  it('refine solves on a finer grid and keeps the same sample grid', () => {
    const coarse = generateDarcySynth({ seed: 2, size: 'tiny', resolution: 9, counts: { train: 4, val: 2, test: 2 } });
    const fine = generateDarcySynth({ seed: 2, size: 'tiny', resolution: 9, refine: 2, counts: { train: 4, val: 2, test: 2 } });
    expect(fine.xShape).toEqual([9, 9, 3]);
    expect(fine.details.solveResolution).toBe(17);
    expect(bytes(fine).equals(bytes(coarse))).toBe(false);
  });
});

describe('ninapro-synth', () => {
  it('samples [16, 52, 1], 18 balanced classes, non-negative EMG-like values', () => {
    const task = generateNinaproSynth({ seed: 4, size: 'tiny' });
    expect(task.xShape).toEqual([16, 52, 1]);
    expect(task.classes).toHaveLength(18);
    expect(task.metric.name).toBe('error');
    expect(Array.from(task.splits.train.y).filter((c) => c === 17)).toHaveLength(4);
    expect(task.splits.train.x.every((v) => v >= 0)).toBe(true);
  });

  it('pairs of classes share their electrodes and differ only in the sweep direction', () => {
    for (let k = 0; k < 9; k++) {
      expect(gestureElectrodes(2 * k + 1)).toEqual([...gestureElectrodes(2 * k)].reverse());
    }
    const task = generateNinaproSynth({ seed: 9, counts: { train: 540, val: 18, test: 180 } });
    const energy = (x: Float32Array) => Array.from({ length: 16 }, (_, e) => x.subarray(e * 52, (e + 1) * 52).reduce((a, b) => a + b, 0));
    const whole = (x: Float32Array) => Array.from(x);
    const byEnergy = classify(task, energy);
    const byPattern = classify(task, whole);
    expect(byEnergy.groups).toBeGreaterThan(0.75); // which electrodes: the 9 groups are told apart
    expect(byEnergy.classes).toBeLessThan(0.55); // but not the direction within a group
    expect(byPattern.classes).toBeGreaterThan(0.7); // the spatio-temporal pattern does
  });
});

// Helpers: crude classifiers that probe what information the generated data carries.

interface Rec {
  x: Float32Array;
  label: number;
}

function recordsOf(split: SplitData): Rec[] {
  const size = split.x.length / split.n;
  return Array.from({ length: split.n }, (_, s) => ({ x: split.x.subarray(s * size, (s + 1) * size), label: split.y[s]! }));
}

function rrStats(x: Float32Array): { variation: number; maxRatio: number } {
  let max = 0;
  for (const v of x) max = Math.max(max, v);
  const peaks: number[] = [];
  for (let i = 1; i < x.length - 1; i++) {
    if (x[i]! > 0.55 * max && x[i]! >= x[i - 1]! && x[i]! > x[i + 1]! && (peaks.length === 0 || i - peaks[peaks.length - 1]! > 90)) peaks.push(i);
  }
  const rr = peaks.slice(1).map((p, i) => p - peaks[i]!);
  if (rr.length < 2) return { variation: 1, maxRatio: 3 };
  const mean = rr.reduce((a, b) => a + b, 0) / rr.length;
  const std = Math.sqrt(rr.reduce((a, b) => a + (b - mean) ** 2, 0) / rr.length);
  let maxRatio = 1;
  for (let i = 1; i < rr.length; i++) maxRatio = Math.max(maxRatio, rr[i]! / rr[i - 1]!);
  return { variation: std / mean, maxRatio };
}

/** Histograms of values and of sample-to-sample steps, pooled over the record. */
function localHistogram(x: Float32Array): number[] {
  const h = new Array<number>(24).fill(0);
  for (let i = 1; i < x.length; i++) {
    h[Math.min(11, Math.max(0, Math.floor((x[i]! + 2) * 2)))]! += 1 / x.length;
    h[12 + Math.min(11, Math.floor(Math.abs(x[i]! - x[i - 1]!) * 8))]! += 1 / x.length;
  }
  return h;
}

function thresholdAccuracy(records: Rec[], below: number, above: number, feature: (x: Float32Array) => number, threshold: number): number {
  const pair = records.filter((r) => r.label === below || r.label === above);
  return pair.filter((r) => (feature(r.x) < threshold ? below : above) === r.label).length / pair.length;
}

function nearestCentroidAccuracy(records: Rec[], a: number, b: number, feature: (x: Float32Array) => number[]): number {
  const pair = records.filter((r) => r.label === a || r.label === b);
  const half = Math.floor(pair.length / 2);
  const centroid = (c: number) => {
    const fs = pair.slice(0, half).filter((r) => r.label === c).map((r) => feature(r.x));
    return fs[0]!.map((_, k) => fs.reduce((s, f) => s + f[k]!, 0) / fs.length);
  };
  const centroids = [centroid(a), centroid(b)];
  const test = pair.slice(half);
  return test.filter((r) => {
    const f = feature(r.x);
    const d = centroids.map((c) => c.reduce((s, v, k) => s + (v - f[k]!) ** 2, 0));
    return (d[0]! < d[1]! ? a : b) === r.label;
  }).length / test.length;
}

function classify(task: TaskData, feature: (x: Float32Array) => number[]): { classes: number; groups: number } {
  const train = recordsOf(task.splits.train);
  const test = recordsOf(task.splits.test);
  const sums = new Map<number, number[]>();
  const counts = new Map<number, number>();
  for (const r of train) {
    const f = feature(r.x);
    const s = sums.get(r.label) ?? new Array<number>(f.length).fill(0);
    f.forEach((v, k) => (s[k]! += v));
    sums.set(r.label, s);
    counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  }
  let classes = 0;
  let groups = 0;
  for (const r of test) {
    const f = feature(r.x);
    let best = -1;
    let bestDistance = Infinity;
    for (const [label, s] of sums) {
      const d = s.reduce((t, v, k) => t + (v / counts.get(label)! - f[k]!) ** 2, 0);
      if (d < bestDistance) [best, bestDistance] = [label, d];
    }
    if (best === r.label) classes++;
    if (Math.floor(best / 2) === Math.floor(r.label / 2)) groups++;
  }
  return { classes: classes / test.length, groups: groups / test.length };
}
