import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { irfftParts, rfftParts } from '../../../../../../src/worker/engine/ops/kernels/fft-gradients.ts';
import { finiteDifferenceGradient, maxRelativeError, prepareTestBackends, useBackend } from '../test-backends.ts';

const backends = await prepareTestBackends();

/** Spectral kernels exist only where tfjs has a complex dtype: cpu here, not wasm. */
const spectralBackends = backends.filter((name) => tf.getKernel('FFT', name) !== undefined);

function check(loss: (t: tf.Tensor) => tf.Scalar, x: tf.Tensor): void {
  const before = tf.memory().numTensors;
  const g = tf.grad(loss)(x);
  const { error, at } = maxRelativeError(g.dataSync(), finiteDifferenceGradient(loss, x));
  g.dispose();
  expect(tf.memory().numTensors, 'tensors leaked by the gradient').toBe(before);
  expect(error, `gradient error at ${at}`).toBeLessThan(1e-4);
}

const normal = (shape: number[], seed: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed);

describe.each(spectralBackends)('differentiable real FFTs on %s (finite differences)', (backend) => {
  for (const n of [8, 7]) {
    it(`rfftParts x=[2,${n}]: values equal tf.spectral.rfft, gradient matches differences`, async () => {
      await useBackend(backend);
      const bins = Math.floor(n / 2) + 1;
      const [x, r1, r2] = [normal([2, n], 1), normal([2, bins], 2), normal([2, bins], 3)];
      const [re, im] = rfftParts(x);
      const reference = tf.spectral.rfft(x);
      expect(maxRelativeError(re.dataSync(), tf.real(reference).dataSync()).error).toBeLessThan(1e-6);
      expect(maxRelativeError(im.dataSync(), tf.imag(reference).dataSync()).error).toBeLessThan(1e-6);
      check((t) => {
        const [a, b] = rfftParts(t);
        return tf.add(tf.sum(tf.mul(a, r1!)), tf.sum(tf.mul(b, r2!)));
      }, x);
      tf.dispose([x, r1!, r2!, re, im, reference]);
    });
  }

  it('irfftParts re,im=[2,5] -> [2,8]: gradients of re and im match differences', async () => {
    await useBackend(backend);
    const [a, b, r] = [normal([2, 5], 4), normal([2, 5], 5), normal([2, 8], 6)];
    check((t) => tf.sum(tf.mul(irfftParts(t, b), r)), a);
    check((t) => tf.sum(tf.mul(irfftParts(a, t), r)), b);
    tf.dispose([a, b, r]);
  });

  it('tfjs cannot register complex gradients: its tape rejects non-float32 gradients (why the fill is customGrad)', async () => {
    await useBackend(backend);
    const x = normal([2, 8], 7);
    expect(() => tf.grad((t: tf.Tensor) => tf.sum(tf.real(tf.spectral.rfft(t))))(x)).toThrow();
    x.dispose();
  });
});

describe.runIf(backends.includes('wasm'))('wasm', () => {
  it('has no spectral kernels, and rfftParts says so', async () => {
    await useBackend('wasm');
    expect(tf.getKernel('FFT', 'wasm')).toBeUndefined();
    const x = tf.zeros([4]);
    expect(() => rfftParts(x)).toThrow(/'wasm' backend has no FFT kernels/);
    x.dispose();
  });
});
