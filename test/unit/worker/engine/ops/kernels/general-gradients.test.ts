import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { finiteDifferenceGradient, maxRelativeError, prepareTestBackends, useBackend } from '../test-backends.ts';

const backends = await prepareTestBackends();

/** Compares tf.grad of sum(r * f(x)) with central differences (every f here is linear in each entry of x). */
function expectGradientMatchesDifferences(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, step = 0.5, tolerance = 1e-4): void {
  const r = tf.tidy(() => tf.randomNormal(f(x).shape, 0, 1, 'float32', 11));
  const loss = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(f(t), r));
  const before = tf.memory().numTensors;
  const g = tf.grad(loss)(x);
  const { error, at } = maxRelativeError(g.dataSync(), finiteDifferenceGradient(loss, x, step));
  g.dispose();
  expect(tf.memory().numTensors, 'tensors leaked by the gradient').toBe(before);
  expect(error, `gradient error at ${at}`).toBeLessThan(tolerance);
  r.dispose();
}

describe.each(backends)('general gradient fills on %s (finite differences)', (backend) => {
  it('stridedSlice x=[4,6,5] begin=[0,1,-1] end=[4,6,0] strides=[2,2,-2]', async () => {
    await useBackend(backend);
    const x = tf.randomNormal([4, 6, 5], 0, 1, 'float32', 1);
    expectGradientMatchesDifferences((t) => tf.stridedSlice(t, [0, 1, -1], [4, 6, 0], [2, 2, -2]), x);
    x.dispose();
  });

  it('stridedSlice x=[3,7,4] begin=[1,0,2] end=[0,7,3] strides=[1,3,1] beginMask=1 shrinkAxisMask=4', async () => {
    await useBackend(backend);
    const x = tf.randomNormal([3, 7, 4], 0, 1, 'float32', 2);
    expectGradientMatchesDifferences((t) => tf.stridedSlice(t, [1, 0, 2], [0, 7, 3], [1, 3, 1], 1, 0, 0, 0, 4), x);
    x.dispose();
  });

  for (const [exclusive, reverse] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`cumsum x=[3,5,4] axis=1 exclusive=${exclusive} reverse=${reverse}`, async () => {
      await useBackend(backend);
      const x = tf.randomNormal([3, 5, 4], 0, 1, 'float32', 3);
      expectGradientMatchesDifferences((t) => tf.cumsum(t, 1, exclusive, reverse), x);
      x.dispose();
    });
  }

  it('topk x=[3,8] k=3 (values spaced 1 apart, step 0.25 keeps the order)', async () => {
    await useBackend(backend);
    const x = tf.tensor2d([[3, 7, 1, 0, 5, 2, 6, 4], [0, 1, 2, 3, 4, 5, 6, 7], [7, 0, 6, 1, 5, 2, 4, 3]]);
    expectGradientMatchesDifferences((t) => tf.topk(t, 3).values, x, 0.25);
    x.dispose();
  });

  it('where(greater(x, 0), x, 2x) x=[4,5]: comparisons have zero gradient, the select routes it', async () => {
    await useBackend(backend);
    const values = tf.tidy(() => {
      const v = tf.randomNormal([4, 5], 0, 1, 'float32', 4);
      return tf.add(v, tf.mul(tf.sign(v), 0.5)); // |x| >= 0.5: a 0.1 step never crosses 0
    });
    expectGradientMatchesDifferences((t) => tf.where(tf.greater(t, 0), t, tf.mul(t, 2)), values, 0.1);
    expectGradientMatchesDifferences((t) => tf.where(tf.logicalAnd(tf.less(t, 1), tf.notEqual(t, 0)), t, tf.mul(t, 3)), values, 0.1);
    values.dispose();
  });

  it('gather x=[5,3] indices=[0,2,2,4] axis=0 (UnsortedSegmentSum in its gradient)', async () => {
    await useBackend(backend);
    const x = tf.randomNormal([5, 3], 0, 1, 'float32', 5);
    expectGradientMatchesDifferences((t) => tf.gather(t, [0, 2, 2, 4], 0), x);
    x.dispose();
  });

  it('maxPool x=[2,6,6,3] 2x2 s=2 valid, windows without a positive value included', async () => {
    await useBackend(backend);
    const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 7);
    expectGradientMatchesDifferences((t) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), x, 1e-2, 1e-3);
    x.dispose();
  });

  it('oneHot indices=[4] depth=5 float32 with on=0.9 off=0.025 (label smoothing values)', async () => {
    await useBackend(backend);
    const y = tf.oneHot(tf.tensor1d([0, 3, 4, 1], 'int32'), 5, 0.9, 0.025, 'float32');
    const expected = [0, 3, 4, 1].flatMap((k) => Array.from({ length: 5 }, (_, j) => (j === k ? 0.9 : 0.025)));
    expect(maxRelativeError(y.dataSync(), expected).error).toBeLessThan(1e-6);
    y.dispose();
  });

  it('prod x=[3,4] axis=1 (its gradient uses chained tensor methods)', async () => {
    await useBackend(backend);
    const x = tf.randomNormal([3, 4], 0, 1, 'float32', 6);
    expectGradientMatchesDifferences((t) => tf.prod(t, 1), x);
    x.dispose();
  });
});

describe.runIf(backends.length > 1)('ops a training loop uses: the same gradient on every backend', () => {
  const labels = (): tf.Tensor => tf.oneHot(tf.tensor1d([0, 2, 1, 4], 'int32'), 5);
  const ops: Record<string, { shape: number[]; f: (x: tf.Tensor) => tf.Tensor }> = {
    'conv2d x=[2,6,6,3] f=[3,3,3,2] s=2': { shape: [2, 6, 6, 3], f: (x) => tf.conv2d(x as tf.Tensor4D, tf.ones([3, 3, 3, 2]), 2, 'same') },
    'conv1d x=[2,12,3] f=[3,3,2] d=2': { shape: [2, 12, 3], f: (x) => tf.conv1d(x as tf.Tensor3D, tf.ones([3, 3, 2]), 1, 'same', 'NWC', 2) },
    'depthwiseConv2d x=[2,6,6,3] d=2': { shape: [2, 6, 6, 3], f: (x) => tf.depthwiseConv2d(x as tf.Tensor4D, tf.ones([3, 3, 3, 1]), 1, 'same', 'NHWC', 2) },
    'conv2dTranspose x=[2,6,6,3]': { shape: [2, 6, 6, 3], f: (x) => tf.conv2dTranspose(x as tf.Tensor4D, tf.ones([3, 3, 2, 3]), [2, 6, 6, 2], 1, 'same') },
    'maxPool x=[2,6,6,3] 2x2': { shape: [2, 6, 6, 3], f: (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid') },
    'avgPool x=[2,6,6,3] 2x2': { shape: [2, 6, 6, 3], f: (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid') },
    'batchNorm x=[2,6,6,3] with moments': { shape: [2, 6, 6, 3], f: (x) => { const m = tf.moments(x, [0, 1, 2]); return tf.batchNorm(x, m.mean, m.variance, tf.zeros([3]), tf.ones([3]), 1e-5); } },
    'relu, elu, sigmoid, tanh x=[4,5]': { shape: [4, 5], f: (x) => tf.addN([tf.relu(x), tf.elu(x), tf.sigmoid(x), tf.tanh(x)]) },
    'pad, slice, concat, stack, tile, transpose x=[2,3,4]': { shape: [2, 3, 4], f: (x) => tf.concat([tf.slice(tf.pad(x, [[0, 0], [1, 1], [0, 2]]), [0, 1, 1], [2, 3, 4]), tf.transpose(tf.tile(x, [1, 1, 1]), [0, 1, 2]), tf.unstack(tf.stack([x, x]))[1]!], 2) },
    'mean, max, min over axes x=[3,4,5]': { shape: [3, 4, 5], f: (x) => tf.addN([tf.mean(x, [1, 2]), tf.max(x, [1, 2]), tf.min(x, [1, 2])]) },
    'matMul x=[4,5]': { shape: [4, 5], f: (x) => tf.matMul(x, x, false, true) },
    'softmaxCrossEntropy and logSoftmax x=[4,5]': { shape: [4, 5], f: (x) => tf.add(tf.losses.softmaxCrossEntropy(labels(), x), tf.sum(tf.logSoftmax(x))) },
    'meanSquaredError, sqrt(abs), clipByValue x=[4,5]': { shape: [4, 5], f: (x) => tf.addN([tf.losses.meanSquaredError(labels(), x), tf.sum(tf.sqrt(tf.add(tf.abs(x), 1))), tf.sum(tf.clipByValue(x, -0.5, 0.5))]) },
    'spaceToBatchND and batchToSpaceND x=[1,4,4,2]': { shape: [1, 4, 4, 2], f: (x) => tf.batchToSpaceND(tf.mul(tf.spaceToBatchND(x, [2, 2], [[0, 0], [0, 0]]), 2), [2, 2], [[0, 0], [0, 0]]) },
    'resizeBilinear x=[1,4,4,2] to 3x3': { shape: [1, 4, 4, 2], f: (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [3, 3]) },
  };
  for (const [name, { shape, f }] of Object.entries(ops)) {
    it(name, async () => {
      const values = tf.randomNormal(shape, 0, 1, 'float32', 12);
      const grads: Float32Array[] = [];
      for (const backend of backends) {
        await useBackend(backend);
        const g = tf.grad((t: tf.Tensor) => {
          const y = f(t);
          return tf.sum(tf.mul(y, tf.randomNormal(y.shape, 0, 1, 'float32', 13)));
        })(values);
        grads.push(g.dataSync() as Float32Array);
        g.dispose();
      }
      for (const g of grads.slice(1)) {
        const { error, at } = maxRelativeError(g, grads[0]!);
        expect(error, `gradient differs from ${backends[0]}'s at ${at}`).toBeLessThan(1e-4);
      }
      values.dispose();
    });
  }
});
