import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patternSpace, type MixtureCandidate } from '../../../../../src/shared/engine/index.ts';
import { BackendSpeed, estimateCallMs } from '../../../../../src/worker/engine/bench/call-estimate.ts';
import { runMixtureBench } from '../../../../../src/worker/engine/bench/index.ts';
import { setupNodeRuntime } from '../../../../../src/worker/node-runtime.ts';

const modelled = (ownConstants: boolean) => ({ ms: new Map<MixtureCandidate, number>([['naive', 10], ['fft', 2]]), ownConstants });

describe('estimateCallMs', () => {
  it("takes the cost model's estimate where the backend has constants, measured or not", () => {
    expect(estimateCallMs('naive', modelled(true), new BackendSpeed())).toEqual({ ms: 10, how: 'the cost model estimates' });
    expect(estimateCallMs('per-pattern', modelled(true), new BackendSpeed())).toBeNull();
  });

  it('without constants, says nothing before a measurement, then scales by the smallest measured/modelled ratio', () => {
    const speed = new BackendSpeed();
    expect(estimateCallMs('fft', modelled(false), speed)).toBeNull();
    speed.record(700, 10);
    expect(estimateCallMs('fft', modelled(false), speed)?.ms).toBe(140);
    speed.record(60, 2);
    expect(speed.factor).toBe(30);
    speed.record(1000, 2); // a slower showing leaves the factor where the backend did best
    expect(estimateCallMs('naive', modelled(false), speed)).toEqual({ ms: 300, how: "the cost model, scaled by 30.0x to this backend's speed measured before it, estimates" });
  });

  it('ignores what it cannot learn from: no model, a zero model, a non-finite or zero time', () => {
    const speed = new BackendSpeed();
    speed.record(5, undefined);
    speed.record(5, 0);
    speed.record(Number.NaN, 1);
    speed.record(Number.POSITIVE_INFINITY, 1);
    speed.record(0, 1);
    expect(speed.factor).toBeNull();
  });
});

/**
 * A backend the cost model has no constants for, as webgpu is: tfjs's cpu backend registered again under another
 * name, with cpu's kernels.
 */
const UNCOSTED = 'cpu-without-cost-constants';

describe('runMixtureBench on a backend without cost constants', () => {
  beforeAll(async () => {
    await setupNodeRuntime({ backend: 'cpu' });
    tf.registerBackend(UNCOSTED, () => new MathBackendCPU());
    for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: UNCOSTED });
    await tf.setBackend(UNCOSTED);
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
    for (const kernel of tf.getKernelsForBackend(UNCOSTED)) tf.unregisterKernel(kernel.kernelName, UNCOSTED);
    tf.removeBackend(UNCOSTED);
  });

  it('calls naive once (nothing is known yet), then skips what its measured speed puts far above the limit', async () => {
    const layer = {
      name: 'tiny 1-D dense 2->2 @15',
      reference: 'custom' as const,
      sampleShape: [15, 2],
      config: { rank: 1 as const, inChannels: 2, outChannels: 2, stride: 1, patterns: patternSpace([3, 5], [1, 3]), depthwise: false, bias: true },
      slots: 1,
      defaultBatch: 2,
    };
    const result = await runMixtureBench({ layers: [layer], repeats: 1, maxCallMs: 1e-9 });
    expect(result.tfjsBackend).toBe(UNCOSTED);
    const [naive, ...rest] = result.layers[0]!.methods;
    expect(naive).toMatchObject({ method: 'naive', samples: 1, note: expect.stringMatching(/^one call only/) });
    expect(naive!.ms).toBeGreaterThan(0);
    for (const m of rest) {
      expect(m.ms, m.method).toBeNull();
      expect(m.note, m.method).toMatch(/^skipped: the cost model, scaled by [\d.]+x to this backend's speed measured before it, estimates \d+ s per call/);
    }
    expect(result.layers[0]!.estimatesMs).toBeNull();
  });
});
