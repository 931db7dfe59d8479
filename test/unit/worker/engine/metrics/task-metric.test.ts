import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMetric } from '../../../../../src/worker/engine/metrics/task-metric.ts';
import { isBetter, METRIC_INFO, metricValue, SeededRandom } from '../../../../../src/shared/engine/index.ts';
import { useTestBackend } from '../train/test-backend.ts';

beforeAll(useTestBackend);

function randomLogits(rng: SeededRandom, n: number, c: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: c }, () => rng.normal()));
}

/** Naive references over the whole set at once. */
function naiveError(logits: number[][], labels: number[]): number {
  let wrong = 0;
  logits.forEach((row, i) => {
    const arg = row.indexOf(Math.max(...row));
    if (arg !== labels[i]) wrong++;
  });
  return (100 * wrong) / labels.length;
}

function naiveMacroF1(logits: number[][], labels: number[], c: number): number {
  const pred = logits.map((row) => row.indexOf(Math.max(...row)));
  const f1s: number[] = [];
  for (let k = 0; k < c; k++) {
    const tp = pred.filter((p, i) => p === k && labels[i] === k).length;
    const fp = pred.filter((p, i) => p === k && labels[i] !== k).length;
    const fn = pred.filter((p, i) => p !== k && labels[i] === k).length;
    if (tp + fp + fn === 0) continue;
    f1s.push((2 * tp) / (2 * tp + fp + fn));
  }
  return f1s.reduce((a, b) => a + b, 0) / f1s.length;
}

async function feedInBatches(metric: ReturnType<typeof createMetric>, outputs: number[][], targets: number[], sizes: number[]): Promise<void> {
  let at = 0;
  for (const size of sizes) {
    const o = tf.tensor2d(outputs.slice(at, at + size));
    const t = tf.tensor1d(targets.slice(at, at + size), 'int32');
    await metric.add(o, t);
    o.dispose();
    t.dispose();
    at += size;
  }
}

describe('error %', () => {
  it('equals the naive whole-set error over uneven batches', async () => {
    const rng = new SeededRandom(1);
    const logits = randomLogits(rng, 53, 5);
    const labels = logits.map(() => rng.int(5));
    const m = createMetric('error');
    await feedInBatches(m, logits, labels, [20, 20, 13]);
    expect(m.count).toBe(53);
    expect(m.value()).toBeCloseTo(naiveError(logits, labels), 10);
  });

  it('is 0 for perfect and 100 for always-wrong predictions', async () => {
    const m = createMetric('error');
    await feedInBatches(m, [[2, 0], [0, 3]], [0, 1], [2]);
    expect(m.value()).toBe(0);
    const w = createMetric('error');
    await feedInBatches(w, [[2, 0], [0, 3]], [1, 0], [2]);
    expect(w.value()).toBe(100);
  });
});

describe('1 - macro F1', () => {
  it('equals a naive whole-set macro F1, which is not the mean of per-batch F1s', async () => {
    const rng = new SeededRandom(2);
    const logits = randomLogits(rng, 40, 4);
    const labels = logits.map(() => rng.int(4));
    const m = createMetric('one-minus-macro-f1', 4);
    await feedInBatches(m, logits, labels, [7, 33]);
    const whole = 1 - naiveMacroF1(logits, labels, 4);
    expect(m.value()).toBeCloseTo(whole, 10);
    const perBatch = (naiveMacroF1(logits.slice(0, 7), labels.slice(0, 7), 4) + naiveMacroF1(logits.slice(7), labels.slice(7), 4)) / 2;
    expect(Math.abs(1 - perBatch - whole)).toBeGreaterThan(1e-6);
  });

  it('hand example: classes absent from targets and predictions do not count', async () => {
    // targets 0,0,1,1; predictions 0,1,1,1; class 2 never occurs.
    const m = createMetric('one-minus-macro-f1', 3);
    await feedInBatches(m, [[1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 1, 0]], [0, 0, 1, 1], [4]);
    const f0 = (2 * 1) / (2 * 1 + 0 + 1);
    const f1 = (2 * 2) / (2 * 2 + 1 + 0);
    expect(m.value()).toBeCloseTo(1 - (f0 + f1) / 2, 12);
  });

  it('needs the class count', async () => {
    expect(() => createMetric('one-minus-macro-f1')).toThrow(/number of classes/);
  });
});

describe('relative L2', () => {
  it('is the mean over samples of ||yhat - y|| / ||y|| over uneven batches', async () => {
    const rng = new SeededRandom(3);
    const n = 9;
    const y = Array.from({ length: n }, () => Array.from({ length: 6 }, () => rng.normal() + 2));
    const yHat = y.map((row) => row.map((v) => v + 0.3 * rng.normal()));
    const naive =
      y.map((row, i) => Math.hypot(...row.map((v, j) => yHat[i]![j]! - v)) / Math.hypot(...row)).reduce((a, b) => a + b, 0) / n;
    const m = createMetric('relative-l2');
    let at = 0;
    for (const size of [4, 5]) {
      const o = tf.tensor4d(yHat.slice(at, at + size).flat(), [size, 2, 3, 1]);
      const t = tf.tensor3d(y.slice(at, at + size).flat(), [size, 2, 3]);
      await m.add(o, t);
      o.dispose();
      t.dispose();
      at += size;
    }
    expect(m.value()).toBeCloseTo(naive, 5);
  });

  it('leaves no tensors behind', async () => {
    const m = createMetric('relative-l2');
    const a = tf.ones([2, 3]);
    const before = tf.memory().numTensors;
    await m.add(a, a);
    expect(tf.memory().numTensors).toBe(before);
    expect(m.value()).toBe(0);
    a.dispose();
  });
});

describe('metric values', () => {
  it('carry name and direction; lower is better for all three', async () => {
    expect(metricValue('relative-l2', 0.1)).toEqual({ name: 'relative-l2', direction: 'minimize', value: 0.1 });
    expect(isBetter(METRIC_INFO.error.direction, 5, 6)).toBe(true);
    expect(isBetter(METRIC_INFO['one-minus-macro-f1'].direction, 0.3, 0.3)).toBe(false);
  });

  it('refuses to report over an empty set', async () => {
    expect(() => createMetric('error').value()).toThrow(/no samples/);
  });
});
