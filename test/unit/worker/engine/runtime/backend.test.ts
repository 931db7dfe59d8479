import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { cpuLoader, initBackend, probeBackends, type BackendLoader } from '../../../../../src/worker/engine/runtime/backend.ts';
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
    expect(report.detail).toMatch(/skipped tensorflow-gpu: no CUDA device; webgpu: no loader in this host; tensorflow: libtensorflow\.so not found; wasm: no loader in this host/);
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

  it('probeBackends times each backend that passes its smoke computation and prefers the fastest, not the first', async () => {
    // Two names for the cpu backend; while the first is measured every read stalls 30 ms, as a slow device would.
    let stall = false;
    const stalled: BackendLoader = { name: 'tensorflow', load: async () => ((stall = true), { tfjsName: 'cpu', threads: 1, simd: false, detail: 'stalled cpu' }) };
    const plain: BackendLoader = { name: 'cpu', load: async (options) => ((stall = false), cpuLoader.load(options)) };
    const originalData = tf.Tensor.prototype.data;
    tf.Tensor.prototype.data = async function (this: tf.Tensor) {
      if (stall) await new Promise((resolve) => setTimeout(resolve, 30));
      return originalData.call(this);
    } as typeof originalData;
    try {
      const probe = await probeBackends([unavailable('tensorflow-gpu', 'no CUDA device'), stalled, plain]);
      expect(probe.backends.map((b) => [b.name, b.available])).toEqual([['tensorflow-gpu', false], ['tensorflow', true], ['cpu', true]]);
      expect(probe.backends[0]).toMatchObject({ detail: 'no CUDA device', probeMs: null });
      const [, slow, fast] = probe.backends;
      // The step's gradients are read together, each read stalled: at least 30 ms, more than the same backend unstalled.
      expect(slow!.probeMs!).toBeGreaterThanOrEqual(30);
      expect(fast!.probeMs!).toBeLessThan(slow!.probeMs!);
      expect(probe.preferred).toBe('cpu');
    } finally {
      tf.Tensor.prototype.data = originalData;
    }
  });
});
