import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NamedVariable } from '../../../../../src/worker/engine/backbones/network.ts';
import { SgdOptimizer } from '../../../../../src/worker/engine/train/sgd.ts';
import { useTestBackend } from './test-backend.ts';

beforeAll(useTestBackend);

/** torch.optim.SGD's update written out per element in float64. */
function referenceSgd(params: number[][], gradsPerStep: (number[] | null)[][], lrs: number[], momentum: number, wd: number, nesterov: boolean): number[][] {
  const p = params.map((x) => [...x]);
  const bufs: (number[] | null)[] = params.map(() => null);
  for (const grads of gradsPerStep) {
    grads.forEach((grad, i) => {
      if (grad === null) return;
      const pi = p[i]!;
      const g = grad.map((gj, j) => gj + wd * pi[j]!);
      let d = g;
      if (momentum !== 0) {
        const prev = bufs[i];
        const buf = prev === null || prev === undefined ? [...g] : prev.map((b, j) => momentum * b + g[j]!);
        bufs[i] = buf;
        d = nesterov ? g.map((gj, j) => gj + momentum * buf[j]!) : buf;
      }
      p[i] = pi.map((x, j) => x - lrs[i]! * d[j]!);
    });
  }
  return p;
}

function named(name: string, values: number[]): NamedVariable {
  return { name, variable: tf.variable(tf.tensor1d(values), true, `sgd-test-${name}-${Math.random()}`), role: 'weight' };
}

describe('SgdOptimizer', () => {
  const steps: (number[] | null)[][] = [
    [[0.5, -1.0, 2.0], [0.1, 0.2]],
    [[-0.3, 0.4, 0.0], null],
    [[1.5, 0.25, -0.75], [-0.6, 0.9]],
    [[0.05, -0.05, 0.1], [0.3, 0.3]],
  ];
  const init = [[1.0, -2.0, 0.5], [0.3, -0.7]];

  for (const [label, momentum, wd, nesterov] of [
    ['Nesterov with weight decay', 0.9, 5e-4, true],
    ['heavy-ball momentum', 0.99, 5e-6, false],
    ['plain SGD', 0, 1e-2, false],
  ] as const) {
    it(`matches torch.optim.SGD semantics: ${label}, two groups, a skipped gradient`, () => {
      const a = named('a', init[0]!);
      const b = named('b', init[1]!);
      const opt = new SgdOptimizer([{ lr: 0.1, parameters: [a] }, { lr: 0.05, parameters: [b] }], { momentum, weightDecay: wd, nesterov });
      for (const step of steps) {
        const grads = new Map<string, tf.Tensor>();
        if (step[0]) grads.set('a', tf.tensor1d(step[0]));
        if (step[1]) grads.set('b', tf.tensor1d(step[1]));
        opt.step(grads);
        grads.forEach((g) => g.dispose());
      }
      const expected = referenceSgd(init, steps, [0.1, 0.05], momentum, wd, nesterov);
      const got = [Array.from(a.variable.dataSync()), Array.from(b.variable.dataSync())];
      got.forEach((row, i) => row.forEach((x, j) => expect(x).toBeCloseTo(expected[i]![j]!, 6)));
      opt.dispose();
      a.variable.dispose();
      b.variable.dispose();
    });
  }

  it('applies the lr factor and leaves no tensors behind after a step and dispose', () => {
    const a = named('a', [1, 2]);
    const before = tf.memory().numTensors;
    const opt = new SgdOptimizer([{ lr: 1, parameters: [a] }], { momentum: 0.9, weightDecay: 0, nesterov: true });
    const g = tf.tensor1d([1, 1]);
    opt.step(new Map([['a', g]]), 0.2);
    // first step: buf = g, d = g + 0.9 g = 1.9, p -= 0.2 * 1.9
    expect(Array.from(a.variable.dataSync())[0]).toBeCloseTo(1 - 0.38, 6);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before + 1); // the momentum buffer
    opt.dispose();
    expect(tf.memory().numTensors).toBe(before);
    a.variable.dispose();
  });

  it('saves and restores momentum so that a restored optimiser continues identically', () => {
    const run = (restoreAfter: number | null): number[] => {
      const a = named('a', [1, -1]);
      let opt = new SgdOptimizer([{ lr: 0.1, parameters: [a] }], { momentum: 0.9, weightDecay: 5e-4, nesterov: true });
      for (let s = 0; s < 4; s++) {
        if (s === restoreAfter) {
          const saved = opt.stateTensors();
          opt.dispose();
          opt = new SgdOptimizer([{ lr: 0.1, parameters: [a] }], { momentum: 0.9, weightDecay: 5e-4, nesterov: true });
          opt.loadState(saved);
          saved.forEach((t) => t.tensor.dispose());
        }
        const g = tf.tensor1d([0.3 * (s + 1), -0.2 * s]);
        opt.step(new Map([['a', g]]));
        g.dispose();
      }
      const out = Array.from(a.variable.dataSync());
      opt.dispose();
      a.variable.dispose();
      return out;
    };
    expect(run(2)).toEqual(run(null));
  });

  it('refuses a parameter in two groups and Nesterov without momentum', () => {
    const a = named('a', [1]);
    expect(() => new SgdOptimizer([{ lr: 0.1, parameters: [a] }, { lr: 0.1, parameters: [a] }], { momentum: 0.9, weightDecay: 0, nesterov: true })).toThrow(/more than one group/);
    expect(() => new SgdOptimizer([{ lr: 0.1, parameters: [a] }], { momentum: 0, weightDecay: 0, nesterov: true })).toThrow(/requires momentum/);
    a.variable.dispose();
  });
});
