import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend, type BackendLoader } from '../../../../../src/worker/engine/runtime/backend.ts';
import { loadCoreGradients } from '../../../../../src/worker/node-runtime.ts';

await loadCoreGradients();

/** A loader whose backend package cannot load here, as a missing libtensorflow would. */
function unavailable(name: BackendLoader['name'], reason: string): BackendLoader {
  return {
    name,
    load: async () => {
      throw new Error(reason);
    },
  };
}

describe('initBackend', () => {
  it('takes the best backend that starts and reports why the better ones were skipped', async () => {
    const report = await initBackend([unavailable('tensorflow-gpu', 'no CUDA device'), unavailable('tensorflow', 'libtensorflow.so not found')]);
    expect(report.name).toBe('cpu');
    expect(report.threads).toBe(1);
    expect(report.tfjsVersion).toBe(tf.version_core);
    expect(report.detail).toMatch(/skipped tensorflow-gpu: no CUDA device; tensorflow: libtensorflow\.so not found; wasm: no loader in this host/);
    expect(report.detail).toMatch(/gradient fills: Conv2D, DepthwiseConv2dNative/);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('with an explicit backend, fails instead of falling back', async () => {
    await expect(initBackend([unavailable('tensorflow', 'libtensorflow.so not found')], { backend: 'tensorflow' })).rejects.toThrow(
      "Could not start the requested backend 'tensorflow': tensorflow: libtensorflow.so not found",
    );
  });

  it('skips a backend that registers but cannot compute', async () => {
    const broken: BackendLoader = { name: 'wasm', load: async () => ({ tfjsName: 'no-such-backend', threads: 4, simd: true, detail: 'broken' }) };
    const report = await initBackend([broken]);
    expect(report.name).toBe('cpu');
    expect(report.detail).toMatch(/wasm: /);
  });
});
