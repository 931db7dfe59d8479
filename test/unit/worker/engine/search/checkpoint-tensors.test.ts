import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NamedVariable } from '../../../../../src/worker/engine/backbones/network.ts';
import { entriesUnder } from '../../../../../src/shared/engine/index.ts';
import { restoreTraining, restoreVariables, snapshotVariables, trainingTensors } from '../../../../../src/worker/engine/search/checkpoint-tensors.ts';
import { SgdOptimizer } from '../../../../../src/worker/engine/train/sgd.ts';
import { useTestBackend } from '../train/test-backend.ts';

beforeAll(useTestBackend);

describe('variable snapshots', () => {
  it('restore values by name and check shapes', async () => {
    const vars: NamedVariable[] = [
      { name: 'x', variable: tf.variable(tf.tensor1d([1, 2])), role: 'weight' },
      { name: 'y', variable: tf.variable(tf.tensor2d([[3]])), role: 'state' },
    ];
    const snap = await snapshotVariables(vars, 'net');
    vars[0]!.variable.assign(tf.tensor1d([9, 9]));
    const before = tf.memory().numTensors;
    restoreVariables(vars, entriesUnder(snap, 'net'));
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(vars[0]!.variable.dataSync())).toEqual([1, 2]);
    expect(() => restoreVariables([{ name: 'x', variable: vars[1]!.variable, role: 'weight' }], entriesUnder(snap, 'net'))).toThrow(/stored with shape \[2\]/);
    expect(() => restoreVariables([{ name: 'z', variable: vars[1]!.variable, role: 'weight' }], entriesUnder(snap, 'net'))).toThrow(/no value stored for z/);
    vars.forEach((v) => v.variable.dispose());
  });
});

describe('training tensors', () => {
  function weights(): NamedVariable[] {
    return [
      { name: 'w', variable: tf.variable(tf.tensor2d([[1, -2], [0.5, 3]])), role: 'weight' },
      { name: 'b', variable: tf.variable(tf.tensor1d([0.25])), role: 'weight' },
    ];
  }
  const grads = (): Map<string, tf.Tensor> => new Map<string, tf.Tensor>([['w', tf.tensor2d([[0.1, 0.2], [-0.3, 0.4]])], ['b', tf.tensor1d([-1])]]);
  const step = (optimizer: SgdOptimizer): void => {
    const g = grads();
    optimizer.step(g, 1);
    g.forEach((t) => t.dispose());
  };
  const values = (vars: readonly NamedVariable[]): number[][] => vars.map((v) => Array.from(v.variable.dataSync()));

  it('store net/ and opt/, and restoring them continues bit for bit, leaking no tensor', async () => {
    const vars = weights();
    const optimizer = new SgdOptimizer([{ lr: 0.1, parameters: vars }], { momentum: 0.9, weightDecay: 1e-3, nesterov: true });
    step(optimizer);
    const before = tf.memory().numTensors;
    const stored = await trainingTensors({ variables: vars }, optimizer);
    expect(tf.memory().numTensors).toBe(before);
    expect(stored.map((t) => t.name)).toEqual(['net/w', 'net/b', 'opt/momentum/w', 'opt/momentum/b']);
    step(optimizer);
    const expected = values(vars);

    // A fresh network and optimiser (as after a resume) restored from the tensors take the same second step.
    const resumed = weights();
    const fresh = new SgdOptimizer([{ lr: 0.1, parameters: resumed }], { momentum: 0.9, weightDecay: 1e-3, nesterov: true });
    const beforeRestore = tf.memory().numTensors;
    restoreTraining({ variables: resumed }, fresh, stored);
    expect(tf.memory().numTensors).toBe(beforeRestore + 2); // the two momentum buffers the optimiser now owns
    step(fresh);
    expect(values(resumed)).toEqual(expected);
    optimizer.dispose();
    fresh.dispose();
    [...vars, ...resumed].forEach((v) => v.variable.dispose());
  });

  it('a momentum buffer for a parameter the optimiser does not train is refused, and the loaded tensors are released', async () => {
    const vars = weights();
    const optimizer = new SgdOptimizer([{ lr: 0.1, parameters: vars }], { momentum: 0.9, weightDecay: 0, nesterov: false });
    const stored = [...(await snapshotVariables(vars, 'net')), { name: 'opt/momentum/other', dtype: 'float32' as const, shape: [1], data: Float32Array.from([1]) }];
    const before = tf.memory().numTensors;
    expect(() => restoreTraining({ variables: vars }, optimizer, stored)).toThrow('SGD: checkpoint holds a momentum buffer for other, which this optimiser does not train');
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    vars.forEach((v) => v.variable.dispose());
  });
});
