import os from 'node:os';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadCoreGradients, probeNodeBackends, setupNodeRuntime } from '../../../src/worker/node-runtime.ts';

const require = createRequire(import.meta.url);
function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

// The first test initialises wasm (once per process): it fixes the thread count, so it asks for 2 explicitly.
describe('node runtime', () => {
  it('setupNodeRuntime({ threads: 2 }) starts wasm with 2 pthreads in Node and leaves no global patched', async () => {
    const cpusBefore = os.cpus().length;
    const blobBefore = globalThis.Blob;
    const createBefore = URL.createObjectURL;
    const report = await setupNodeRuntime({ backend: 'wasm', threads: 2 });
    expect(report).toMatchObject({ name: 'wasm', threads: 2, simd: true, tfjsVersion: '4.22.0' });
    expect(report.detail).toMatch(/threaded SIMD build, 2 threads/);
    expect(report.detail).toMatch(/kernel fills: .*Conv2DBackpropFilter@wasm/);
    expect(tf.getBackend()).toBe('wasm');
    expect(os.cpus().length).toBe(cpusBefore);
    expect(globalThis.Blob).toBe(blobBefore);
    expect(URL.createObjectURL).toBe(createBefore);
    // The threaded backend computes what the cpu backend computes.
    const x = tf.randomNormal([2, 16, 20, 8], 0, 1, 'float32', 1) as tf.Tensor4D;
    const f = tf.randomNormal([5, 5, 8, 8], 0, 1, 'float32', 2) as tf.Tensor4D;
    const onWasm = tf.conv2d(x, f, 1, 'same').dataSync();
    await tf.setBackend('cpu');
    const onCpu = tf.conv2d(x, f, 1, 'same').dataSync();
    let worst = 0;
    for (let i = 0; i < onCpu.length; i++) worst = Math.max(worst, Math.abs(onCpu[i]! - onWasm[i]!));
    expect(worst).toBeLessThan(1e-3);
    tf.dispose([x, f]);
  });

  it('probeNodeBackends tries every backend best first and says why one is unavailable', async () => {
    const probe = await probeNodeBackends();
    expect(probe.backends.map((b) => b.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    expect(probe.tfjsVersion).toBe(tf.version_core);
    const byName = Object.fromEntries(probe.backends.map((b) => [b.name, b]));
    expect(byName.cpu!.available).toBe(true);
    if (!installed('@tensorflow/tfjs-node')) {
      expect(byName.tensorflow).toMatchObject({ available: false, detail: expect.stringMatching(/@tensorflow\/tfjs-node is not installed/) });
    }
    if (!installed('@tensorflow/tfjs-node-gpu')) {
      expect(byName['tensorflow-gpu']).toMatchObject({ available: false, detail: expect.stringMatching(/@tensorflow\/tfjs-node-gpu is not installed/) });
    }
    expect(byName.wasm!.available, byName.wasm!.detail).toBe(true);
    expect(byName.wasm!.detail).toMatch(/tfjs-backend-wasm 4\.22\.0, (threaded SIMD|SIMD) build/);
    // The preferred one is the fastest measured, not the first in the list (native TensorFlow and wasm trade places
    // under load): every backend that started has a probe time, and none beats the preferred one's.
    const started = probe.backends.filter((b) => b.available);
    for (const b of started) expect(b.probeMs, b.name).toBeGreaterThan(0);
    const fastest = Math.min(...started.map((b) => b.probeMs!));
    expect(byName[probe.preferred]!.probeMs).toBe(fastest);
  });

  it('honours an explicit backend, and refuses one that cannot start with the reason', async () => {
    expect((await setupNodeRuntime({ backend: 'cpu' })).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    if (!installed('@tensorflow/tfjs-node')) {
      await expect(setupNodeRuntime({ backend: 'tensorflow' })).rejects.toThrow(/requested backend 'tensorflow'.*tfjs-node is not installed/);
    }
    await expect(setupNodeRuntime({ threads: 0 })).rejects.toThrow(/threads must be a positive integer, got 0/);
  });

  it("loadCoreGradients registers tfjs-core's gradients and chained ops, which its entry point leaves out", async () => {
    await loadCoreGradients();
    expect(tf.getGradient('Sum')).toBeDefined();
    expect(tf.getGradient('Conv2D')).toBeDefined();
    expect('reshape' in tf.Tensor.prototype).toBe(true);
  });
});
