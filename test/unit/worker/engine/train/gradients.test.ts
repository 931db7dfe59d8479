import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { clipByGlobalNorm, rescaleAlphaGradient } from '../../../../../src/worker/engine/train/gradients.ts';
import { multiStepFactor, referenceMilestones } from '../../../../../src/worker/engine/train/schedule.ts';
import { useTestBackend } from './test-backend.ts';

beforeAll(useTestBackend);

describe('rescaleAlphaGradient', () => {
  it('g=[3,4] f=[1,5]: g / (100 (5 + 1e-8)) + 1e-5 f', () => {
    const g = tf.tensor1d([3, 4]);
    const out = rescaleAlphaGradient(g, [1, 5], 100, 1e-5);
    const got = Array.from(out.dataSync());
    expect(got[0]).toBeCloseTo(3 / 500 + 1e-5, 9);
    expect(got[1]).toBeCloseTo(4 / 500 + 5e-5, 9);
    g.dispose();
    out.dispose();
  });

  it('gives a rescaled norm of 1/scale whatever the input norm', () => {
    for (const s of [1e-6, 1, 1e4]) {
      const g = tf.tensor1d([s, -2 * s, 0.5 * s]);
      const out = rescaleAlphaGradient(g, [0, 0, 0], 100, 1e-5);
      expect(tf.norm(out).dataSync()[0]).toBeCloseTo(0.01 * (s / (s + 1e-8 / Math.sqrt(5.25))), 5);
      g.dispose();
      out.dispose();
    }
  });

  it('refuses mismatched field sizes', () => {
    const g = tf.tensor1d([1, 2]);
    expect(() => rescaleAlphaGradient(g, [1], 100, 1e-5)).toThrow(/2 entries but 1 field sizes/);
    g.dispose();
  });
});

describe('clipByGlobalNorm', () => {
  it('scales all gradients by maxNorm / (norm + 1e-6) when the global norm exceeds it', () => {
    const a = tf.tensor1d([3, 0]);
    const b = tf.tensor2d([[0, 4]]);
    const before = tf.memory().numTensors;
    const { grads, norm } = clipByGlobalNorm([a, b], 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 6);
    const f = 1 / (5 + 1e-6);
    expect(grads[0]!.dataSync()[0]).toBeCloseTo(3 * f, 7);
    expect(grads[0]!.dataSync()[1]).toBe(0);
    expect(grads[1]!.dataSync()[1]).toBeCloseTo(4 * f, 7);
    grads.forEach((g) => g.dispose());
    norm.dispose();
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
    b.dispose();
  });

  it('leaves gradients whose global norm is below the limit unchanged', () => {
    const a = tf.tensor1d([0.3, 0.4]);
    const { grads, norm } = clipByGlobalNorm([a], 1);
    expect(Array.from(grads[0]!.dataSync())).toEqual(Array.from(a.dataSync()));
    grads[0]!.dispose();
    norm.dispose();
    a.dispose();
  });
});

describe('multiStepFactor', () => {
  it('decays by gamma at each milestone reached (0-based epochs)', () => {
    const m = referenceMilestones(2);
    expect(m).toEqual([60, 120, 160]);
    expect(multiStepFactor(0, m, 0.2)).toBe(1);
    expect(multiStepFactor(59, m, 0.2)).toBe(1);
    expect(multiStepFactor(60, m, 0.2)).toBeCloseTo(0.2, 12);
    expect(multiStepFactor(130, m, 0.2)).toBeCloseTo(0.04, 12);
    expect(multiStepFactor(199, m, 0.2)).toBeCloseTo(0.008, 12);
    expect(referenceMilestones(1)).toEqual([30, 60, 90, 120, 160]);
  });
});
