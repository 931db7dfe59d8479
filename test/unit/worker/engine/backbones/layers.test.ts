import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm, Dense, dropout, PointwiseConv, xavierUniform } from '../../../../../src/worker/engine/backbones/layers.ts';
import { SeededRandom } from '../../../../../src/shared/engine/index.ts';
import { useTestBackend } from '../train/test-backend.ts';

beforeAll(useTestBackend);

function disposeAll(vars: { variable: tf.Variable }[]): void {
  vars.forEach((v) => v.variable.dispose());
}

describe('BatchNorm x=[4,3,2] (N, L, C)', () => {
  const rng = new SeededRandom(1);
  const values = Array.from({ length: 24 }, () => rng.normal() * 2 + 1);

  it('normalises with the biased batch variance and updates running stats with momentum 0.1 and the unbiased variance', () => {
    const bn = new BatchNorm('bn', 2);
    bn.gamma.assign(tf.tensor1d([1.5, -0.5]));
    bn.beta.assign(tf.tensor1d([0.1, 0.2]));
    const x = tf.tensor3d(values, [4, 3, 2]);
    const y = tf.tidy(() => bn.apply(x, true));
    const out = y.dataSync();
    const rm = bn.runningMean.dataSync();
    const rv = bn.runningVar.dataSync();
    for (let c = 0; c < 2; c++) {
      const col = values.filter((_, i) => i % 2 === c);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const biased = col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length;
      const unbiased = (biased * col.length) / (col.length - 1);
      expect(rm[c]).toBeCloseTo(0.1 * mean, 5);
      expect(rv[c]).toBeCloseTo(0.9 + 0.1 * unbiased, 5);
      const gamma = [1.5, -0.5][c]!;
      const beta = [0.1, 0.2][c]!;
      values.forEach((v, i) => {
        if (i % 2 !== c) return;
        expect(out[i]).toBeCloseTo(((v - mean) / Math.sqrt(biased + 1e-5)) * gamma + beta, 4);
      });
    }
    y.dispose();
    x.dispose();
    disposeAll(bn.variables);
  });

  it('uses running statistics in evaluation and leaves them unchanged', () => {
    const bn = new BatchNorm('bn', 2);
    bn.runningMean.assign(tf.tensor1d([1, -1]));
    bn.runningVar.assign(tf.tensor1d([4, 0.25]));
    const x = tf.tensor3d(values, [4, 3, 2]);
    const y = tf.tidy(() => bn.apply(x, false));
    const out = y.dataSync();
    values.forEach((v, i) => {
      const c = i % 2;
      expect(out[i]).toBeCloseTo((v - [1, -1][c]!) / Math.sqrt([4, 0.25][c]! + 1e-5), 4);
    });
    expect(Array.from(bn.runningMean.dataSync())).toEqual([1, -1]);
    y.dispose();
    x.dispose();
    disposeAll(bn.variables);
  });

  it('has the gradient of its own formula (finite differences) through the batch statistics', () => {
    const bn = new BatchNorm('bn', 2);
    const x = tf.tensor3d(values, [4, 3, 2]);
    const w = tf.tensor3d(values.map((_, i) => Math.sin(i)), [4, 3, 2]);
    const loss = (input: tf.Tensor): tf.Scalar => tf.sum(tf.mul(bn.apply(input, true), w));
    const grad = tf.grad(loss)(x);
    const g = grad.dataSync();
    const h = 1e-2;
    for (const i of [0, 5, 13]) {
      const plus = values.slice();
      plus[i]! += h;
      const minus = values.slice();
      minus[i]! -= h;
      const lp = tf.tidy(() => loss(tf.tensor3d(plus, [4, 3, 2])).dataSync()[0]!);
      const lm = tf.tidy(() => loss(tf.tensor3d(minus, [4, 3, 2])).dataSync()[0]!);
      expect(g[i]).toBeCloseTo((lp - lm) / (2 * h), 2);
    }
    grad.dispose();
    x.dispose();
    w.dispose();
    disposeAll(bn.variables);
  });
});

describe('Dense and PointwiseConv', () => {
  it('Dense applies to the last axis of any rank', () => {
    const d = new Dense('head', 3, 2, new SeededRandom(2));
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 2, 3]);
    const y = tf.tidy(() => d.apply(x));
    expect(y.shape).toEqual([1, 2, 2]);
    const w = d.weight.arraySync() as number[][];
    const b = d.bias.dataSync();
    expect(y.dataSync()[3]).toBeCloseTo(4 * w[0]![1]! + 5 * w[1]![1]! + 6 * w[2]![1]! + b[1]!, 5);
    // nn.Linear default bounds
    expect(Math.max(...Array.from(d.weight.dataSync()).map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(3));
    y.dispose();
    x.dispose();
    disposeAll(d.variables);
  });

  it('PointwiseConv x=[1,5,5,2] s=2 keeps positions 0,2,4 of a 1x1 conv', () => {
    const c = new PointwiseConv('sc', 2, 2, 3, 2, new SeededRandom(3));
    const x = tf.tensor4d(Array.from({ length: 50 }, (_, i) => i / 10), [1, 5, 5, 2]);
    const y = tf.tidy(() => c.apply(x));
    expect(y.shape).toEqual([1, 3, 3, 3]);
    const w = c.weight.dataSync();
    const xv = x.dataSync();
    // output (1,2) reads input (2,4)
    const at = (2 * 5 + 4) * 2;
    expect(y.dataSync()[(1 * 3 + 2) * 3 + 1]).toBeCloseTo(xv[at]! * w[1]! + xv[at + 1]! * w[3 + 1]!, 5);
    y.dispose();
    x.dispose();
    disposeAll(c.variables);
  });
});

describe('initialisers and dropout', () => {
  it('xavier-uniform stays within gain * sqrt(6 / (fanIn + fanOut)) and fills it', () => {
    const v = xavierUniform(10000, 27, 48, Math.SQRT2, new SeededRandom(4));
    const bound = Math.SQRT2 * Math.sqrt(6 / 75);
    const max = Math.max(...Array.from(v).map(Math.abs));
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(0.99 * bound);
  });

  it('dropout zeroes about the rate, scales the rest, and repeats with the same seed', () => {
    const x = tf.ones([4000]);
    const a = tf.tidy(() => dropout(x, 0.25, new SeededRandom(5)));
    const b = tf.tidy(() => dropout(x, 0.25, new SeededRandom(5)));
    const va = Array.from(a.dataSync());
    expect(va).toEqual(Array.from(b.dataSync()));
    const zeros = va.filter((v) => v === 0).length;
    expect(zeros / 4000).toBeGreaterThan(0.22);
    expect(zeros / 4000).toBeLessThan(0.28);
    expect(va.filter((v) => v !== 0).every((v) => Math.abs(v - 4 / 3) < 1e-6)).toBe(true);
    expect(dropout(x, 0, new SeededRandom(5))).toBe(x);
    [x, a, b].forEach((t) => t.dispose());
  });
});
