/**
 * Test-only tiny tasks generated from a seed, learnable in a few steps, one per task family:
 * - stripes2d: 8x8x1 images, class = orientation of a noisy stripe pattern (horizontal / vertical / diagonal).
 * - field2d: 6x6x3 inputs [a, x, y] -> a 1-channel target (a smoothed, shifted copy of a), normalised pointwise.
 * - waves1d: sequences of 32 x 1, class = frequency band of a noisy sinusoid (4 classes, like ECG's).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BatchReader, RunDataset, InMemorySplit } from '../../../../../src/worker/engine/data/dataset.ts';
import { SeededRandom } from '../../../../../src/shared/engine/index.ts';

function stripes(rng: SeededRandom, n: number): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(n * 64);
  const y = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const cls = rng.int(3);
    y[s] = cls;
    const phase = rng.int(4);
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        const coord = cls === 0 ? i : cls === 1 ? j : i + j;
        x[s * 64 + i * 8 + j] = ((coord + phase) % 4 < 2 ? 1 : -1) + 0.5 * rng.normal();
      }
    }
  }
  return { x, y };
}

function split(x: Float32Array, y: Int32Array, shape: number[], from: number, to: number): InMemorySplit {
  const per = shape.reduce((a, b) => a * b, 1);
  return { x: tf.tensor(x.slice(from * per, to * per), [to - from, ...shape]), y: tf.tensor1d(y.slice(from, to), 'int32') };
}

export function stripes2d(seed: number, counts = { train: 64, validation: 24, test: 24 }): RunDataset {
  const n = counts.train + counts.validation + counts.test;
  const { x, y } = stripes(new SeededRandom(seed), n);
  return {
    task: { kind: 'classification', metric: 'error', inputShape: [8, 8, 1], numClasses: 3 },
    train: split(x, y, [8, 8, 1], 0, counts.train),
    validation: split(x, y, [8, 8, 1], counts.train, counts.train + counts.validation),
    test: split(x, y, [8, 8, 1], counts.train + counts.validation, n),
  };
}

/** The same task with every split behind a BatchReader (streaming path) and no validation split (holdout path). */
export function stripes2dStreamed(seed: number, counts = { train: 80, test: 24 }): RunDataset {
  const n = counts.train + counts.test;
  const { x, y } = stripes(new SeededRandom(seed), n);
  const reader = (from: number, size: number): BatchReader => ({
    size,
    batch: async (indices) => ({
      x: Float32Array.from(Array.from(indices).flatMap((i) => Array.from(x.subarray((from + i) * 64, (from + i + 1) * 64)))),
      y: Int32Array.from(indices, (i) => y[from + i]!),
    }),
  });
  return {
    task: { kind: 'classification', metric: 'error', inputShape: [8, 8, 1], numClasses: 3 },
    train: reader(0, counts.train),
    test: reader(counts.train, counts.test),
  };
}

export function field2d(seed: number, counts = { train: 48, validation: 16, test: 16 }): RunDataset {
  const rng = new SeededRandom(seed);
  const n = counts.train + counts.validation + counts.test;
  const h = 6;
  const x = new Float32Array(n * h * h * 3);
  const raw = new Float32Array(n * h * h);
  for (let s = 0; s < n; s++) {
    const a = Array.from({ length: h * h }, () => (rng.uniform() < 0.5 ? 3 : 12));
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < h; j++) {
        const o = ((s * h + i) * h + j) * 3;
        x[o] = a[i * h + j]! / 10;
        x[o + 1] = i / (h - 1);
        x[o + 2] = j / (h - 1);
        let sum = 0;
        for (let di = -1; di <= 1; di++) for (let dj = -1; dj <= 1; dj++) sum += a[Math.min(h - 1, Math.max(0, i + di)) * h + Math.min(h - 1, Math.max(0, j + dj))]!;
        raw[(s * h + i) * h + j] = 1 + sum / 90;
      }
    }
  }
  // Pointwise normalisation from the training part, as DASH's UnitGaussianNormalizer.
  const per = h * h;
  const mean = new Float32Array(per);
  const std = new Float32Array(per);
  for (let p = 0; p < per; p++) {
    let m = 0;
    for (let s = 0; s < counts.train; s++) m += raw[s * per + p]!;
    m /= counts.train;
    let v = 0;
    for (let s = 0; s < counts.train; s++) v += (raw[s * per + p]! - m) ** 2;
    mean[p] = m;
    std[p] = Math.sqrt(v / (counts.train - 1));
  }
  const eps = 1e-5;
  const y = raw.map((v, i) => (v - mean[i % per]!) / (std[i % per]! + eps));
  const part = (from: number, to: number): InMemorySplit => ({
    x: tf.tensor(x.slice(from * per * 3, to * per * 3), [to - from, h, h, 3]),
    y: tf.tensor(y.slice(from * per, to * per), [to - from, h, h]),
  });
  return {
    task: { kind: 'dense-regression', metric: 'relative-l2', inputShape: [h, h, 3], targetShape: [h, h] },
    train: part(0, counts.train),
    validation: part(counts.train, counts.train + counts.validation),
    test: part(counts.train + counts.validation, n),
    targetNormalization: { mean, std, eps },
  };
}

export function waves1d(seed: number, counts = { train: 64, validation: 24, test: 24 }): RunDataset {
  const rng = new SeededRandom(seed);
  const n = counts.train + counts.validation + counts.test;
  const length = 32;
  const x = new Float32Array(n * length);
  const y = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const cls = rng.int(4);
    y[s] = cls;
    const freq = [1, 2, 4, 8][cls]!;
    const phase = rng.uniform() * 2 * Math.PI;
    for (let t = 0; t < length; t++) x[s * length + t] = Math.sin((2 * Math.PI * freq * t) / length + phase) + 0.3 * rng.normal();
  }
  return {
    task: { kind: 'classification', metric: 'one-minus-macro-f1', inputShape: [length, 1], numClasses: 4 },
    train: split(x, y, [length, 1], 0, counts.train),
    validation: split(x, y, [length, 1], counts.train, counts.train + counts.validation),
    test: split(x, y, [length, 1], counts.train + counts.validation, n),
  };
}

export function disposeDataset(d: RunDataset): void {
  for (const s of [d.train, d.validation, d.test]) {
    if (s !== undefined && 'x' in s) {
      s.x.dispose();
      s.y.dispose();
    }
  }
}
