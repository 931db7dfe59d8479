import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { epochBatches, holdout, partialBatchCount, referenceHpBatchFraction, searchShare, seededSubset, shareBatches, shareSamples, shareSteps } from '../../../../../src/worker/engine/data/batches.ts';
import { decodeTargets, splitReader, subsetReader, type BatchReader } from '../../../../../src/worker/engine/data/dataset.ts';
import { SeededRandom, validateTask, type TaskSpec } from '../../../../../src/shared/engine/index.ts';
import { useTestBackend } from '../train/test-backend.ts';

beforeAll(useTestBackend);

const classification: TaskSpec = { kind: 'classification', metric: 'error', inputShape: [2, 3, 1], numClasses: 4 };
const dense: TaskSpec = { kind: 'dense-regression', metric: 'relative-l2', inputShape: [2, 2, 3], targetShape: [2, 2] };

describe('batches', () => {
  it('cover every index once per epoch, the last batch smaller, in a seeded order', () => {
    const b = epochBatches(10, 4, new SeededRandom(1));
    expect(b.map((x) => x.length)).toEqual([4, 4, 2]);
    expect(b.flatMap((x) => Array.from(x)).sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epochBatches(10, 4, new SeededRandom(1))).toEqual(b);
    expect(epochBatches(10, 4, new SeededRandom(2))).not.toEqual(b);
    expect(Array.from(epochBatches(5, 2, null)[2]!)).toEqual([4]);
  });

  it('partial epochs keep the first ceil(fraction * n) batches, at least one', () => {
    expect(partialBatchCount(10, 0.2)).toBe(2);
    expect(partialBatchCount(11, 0.2)).toBe(3);
    expect(partialBatchCount(3, 0.2)).toBe(1);
    expect(partialBatchCount(5, 1)).toBe(5);
    expect(() => partialBatchCount(5, 0)).toThrow(/\(0, 1\]/);
    expect([10, 60, 200, 900].map(referenceHpBatchFraction)).toEqual([0.2, 0.1, 0.05, 0.01]);
  });

  it('an epoch of a fixed number of steps takes whole seeded shuffles in turn, then the start of the next', () => {
    // 10 samples in batches of 4: [4, 4, 2] per shuffle; 7 steps = two shuffles and the first batch of a third.
    const rng = new SeededRandom(5);
    const batches = shareBatches(10, 4, { steps: 7 }, rng);
    const again = new SeededRandom(5);
    const expected = [...epochBatches(10, 4, again), ...epochBatches(10, 4, again), ...epochBatches(10, 4, again)].slice(0, 7);
    expect(batches).toEqual(expected);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2, 4, 4, 2, 4]);
    expect(shareSteps(10, 4, { steps: 7 })).toBe(7);
    expect(shareSamples(10, 4, { steps: 7 })).toBe(24);
    expect(shareSamples(10, 4, { steps: 2 })).toBe(8);
    // A fraction is DASH's partial epoch: the first batches of one shuffle, exactly as before.
    expect(shareBatches(10, 4, { fraction: 0.5 }, new SeededRandom(5))).toEqual(epochBatches(10, 4, new SeededRandom(5)).slice(0, 2));
    expect(shareSamples(10, 4, { fraction: 1 })).toBe(10);
    expect(shareSamples(10, 4, { fraction: 0.5 })).toBe(8);
    expect(searchShare({ stepsPerEpoch: null, batchFraction: 0.2 })).toEqual({ fraction: 0.2 });
    expect(searchShare({ stepsPerEpoch: 25, batchFraction: 0.2 })).toEqual({ steps: 25 });
    expect(() => shareBatches(10, 4, { steps: 0 }, rng)).toThrow(/steps per epoch must be a positive integer, got 0/);
  });

  it('holdout and subsets are disjoint, complete and seeded', () => {
    const { kept, heldOut } = holdout(20, 5, new SeededRandom(3));
    expect(heldOut.length).toBe(5);
    expect([...kept, ...heldOut].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(Array.from(seededSubset(20, 7, new SeededRandom(4)))).toEqual(Array.from(seededSubset(20, 7, new SeededRandom(4))));
    expect(seededSubset(20, null, new SeededRandom(4)).length).toBe(20);
    expect(() => holdout(5, 5, new SeededRandom(1))).toThrow(/cannot hold out 5 of 5/);
  });
});

describe('split readers', () => {
  const n = 5;
  const xs = Float32Array.from({ length: n * 6 }, (_, i) => i);
  const labels = Int32Array.from([0, 1, 2, 3, 1]);

  it('read the same batches from tensors in memory and from a batch reader', async () => {
    const inMemory = splitReader({ x: tf.tensor(xs, [n, 2, 3, 1]), y: tf.tensor1d(labels, 'int32') }, classification, 'train');
    const streamed: BatchReader = {
      size: n,
      batch: async (idx) => ({ x: Float32Array.from(Array.from(idx).flatMap((i) => Array.from(xs.subarray(i * 6, i * 6 + 6)))), y: Int32Array.from(idx, (i) => labels[i]!) }),
    };
    const reader = splitReader(streamed, classification, 'train');
    const idx = Int32Array.from([4, 0, 2]);
    const a = await inMemory.read(idx);
    const b = await reader.read(idx);
    expect(a.x.shape).toEqual([3, 2, 3, 1]);
    expect(Array.from(a.x.dataSync())).toEqual(Array.from(b.x.dataSync()));
    expect(Array.from(a.y.dataSync())).toEqual([1, 0, 2]);
    expect(b.y.dtype).toBe('int32');
    [a.x, a.y, b.x, b.y].forEach((t) => t.dispose());
  });

  it('a subset maps local indices to the parent', async () => {
    const reader = splitReader({ x: tf.tensor(xs, [n, 2, 3, 1]), y: tf.tensor1d(labels, 'int32') }, classification, 'train');
    const sub = subsetReader(reader, Int32Array.from([3, 4]));
    expect(sub.size).toBe(2);
    const b = await sub.read(Int32Array.from([1]));
    expect(Array.from(b.y.dataSync())).toEqual([1]);
    b.x.dispose();
    b.y.dispose();
  });

  it('names shape mismatches', async () => {
    expect(() => splitReader({ x: tf.zeros([n, 3, 2, 1]), y: tf.zeros([n], 'int32') }, classification, 'train')).toThrow(/train split: inputs have shape \[5, 3, 2, 1\]/);
    const bad = splitReader({ size: 2, batch: () => ({ x: new Float32Array(5), y: new Int32Array(2) }) }, classification, 'test');
    await expect(bad.read(Int32Array.from([0, 1]))).rejects.toThrow(/test split: a batch of 2 samples must hold 12 input values, got 5/);
  });
});

describe('tasks and target normalisation', () => {
  it('validates task specs', () => {
    expect(() => validateTask(classification)).not.toThrow();
    expect(() => validateTask(dense)).not.toThrow();
    expect(() => validateTask({ ...classification, numClasses: 1 })).toThrow(/numClasses >= 2/);
    expect(() => validateTask({ ...dense, targetShape: [3, 3] })).toThrow(/matching the input/);
    expect(() => validateTask({ ...dense, metric: 'error' })).toThrow(/relative-l2/);
  });

  it('decodes pointwise: y * (std + eps) + mean per element of a sample', () => {
    const y = tf.tensor3d([1, 2, 3, 4, -1, 0, 1, 2], [2, 2, 2]);
    const norm = { mean: Float32Array.from([10, 20, 30, 40]), std: Float32Array.from([1, 2, 3, 4]), eps: 0.5 };
    const out = decodeTargets(y, norm);
    expect(Array.from(out.dataSync())).toEqual([11.5, 25, 40.5, 58, 8.5, 20, 33.5, 49]);
    const scalar = decodeTargets(y, { mean: Float32Array.from([1]), std: Float32Array.from([2]), eps: 0 });
    expect(Array.from(scalar.dataSync()).slice(0, 2)).toEqual([3, 5]);
    expect(() => decodeTargets(y, { mean: new Float32Array(3), std: new Float32Array(3), eps: 0 })).toThrow(/fit neither/);
    [y, out, scalar].forEach((t) => t.dispose());
  });
});
