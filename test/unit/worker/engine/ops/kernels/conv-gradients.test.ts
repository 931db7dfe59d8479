import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { convolve2d, type ConvSpec } from '../../../../../../src/worker/engine/ops/conv-core.ts';
import { finiteDifferenceGradient, linearProbe, maxRelativeError, prepareTestBackends, useBackend } from '../test-backends.ts';

const backends = await prepareTestBackends();

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  spec: ConvSpec;
}

const pads = (t: number, b: number, l: number, r: number): ConvSpec['pads'] => [
  [t, b],
  [l, r],
];

const cases: ConvCase[] = [
  { name: 'x=[2,7,8,3] f=[3,3,3,2] s=1 d=2 p=same', x: [2, 7, 8, 3], filter: [3, 3, 3, 2], spec: { strides: [1, 1], dilations: [2, 2], pads: pads(2, 2, 2, 2), depthwise: false } },
  { name: 'x=[2,9,7,2] f=[3,2,2,3] s=2 d=1 p=[[1,2],[0,1]]', x: [2, 9, 7, 2], filter: [3, 2, 2, 3], spec: { strides: [2, 2], dilations: [1, 1], pads: pads(1, 2, 0, 1), depthwise: false } },
  { name: 'x=[1,9,10,2] f=[3,3,2,2] s=2 d=3 p=same (stride and dilation together)', x: [1, 9, 10, 2], filter: [3, 3, 2, 2], spec: { strides: [2, 2], dilations: [3, 3], pads: pads(3, 3, 3, 3), depthwise: false } },
  { name: 'x=[1,11,8,2] f=[4,3,2,1] s=[3,2] d=[2,1] p=valid', x: [1, 11, 8, 2], filter: [4, 3, 2, 1], spec: { strides: [3, 2], dilations: [2, 1], pads: pads(0, 0, 0, 0), depthwise: false } },
  { name: 'x=[2,1,15,2] f=[1,5,2,2] s=1 d=3 p=causal (1-D)', x: [2, 1, 15, 2], filter: [1, 5, 2, 2], spec: { strides: [1, 1], dilations: [1, 3], pads: pads(0, 0, 12, 0), depthwise: false } },
  { name: 'x=[2,7,7,3] f=[3,3,3,1] s=1 d=3 p=same depthwise', x: [2, 7, 7, 3], filter: [3, 3, 3, 1], spec: { strides: [1, 1], dilations: [3, 3], pads: pads(3, 3, 3, 3), depthwise: true } },
  { name: 'x=[2,8,9,3] f=[3,3,3,1] s=2 d=1 p=same depthwise', x: [2, 8, 9, 3], filter: [3, 3, 3, 1], spec: { strides: [2, 2], dilations: [1, 1], pads: pads(1, 1, 1, 1), depthwise: true } },
  { name: 'x=[1,9,9,2] f=[3,3,2,1] s=2 d=2 p=same depthwise (stride and dilation together)', x: [1, 9, 9, 2], filter: [3, 3, 2, 1], spec: { strides: [2, 2], dilations: [2, 2], pads: pads(2, 2, 2, 2), depthwise: true } },
  { name: 'x=[2,6,6,2] f=[3,3,2,2] s=1 d=2 p=same depthwise multiplier 2', x: [2, 6, 6, 2], filter: [3, 3, 2, 2], spec: { strides: [1, 1], dilations: [2, 2], pads: pads(2, 2, 2, 2), depthwise: true } },
];

describe.each(backends)('conv gradient fills on %s (finite differences)', (backend) => {
  for (const c of cases) {
    it(`${c.name}: dL/dx and dL/dfilter match finite differences`, async () => {
      await useBackend(backend);
      const x = tf.randomNormal(c.x, 0, 1, 'float32', 1);
      const filter = tf.randomNormal(c.filter, 0, 1, 'float32', 2);
      const probeShape = tf.tidy(() => convolve2d(x as tf.Tensor4D, filter as tf.Tensor4D, c.spec).shape);
      const r = linearProbe(probeShape, 3);
      const lossOfX = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(convolve2d(t as tf.Tensor4D, filter as tf.Tensor4D, c.spec), r));
      const lossOfFilter = (t: tf.Tensor): tf.Scalar => tf.sum(tf.mul(convolve2d(x as tf.Tensor4D, t as tf.Tensor4D, c.spec), r));
      const before = tf.memory().numTensors;
      const [dx, dfilter] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(convolve2d(a as tf.Tensor4D, b as tf.Tensor4D, c.spec), r)))([x, filter]);
      const ex = maxRelativeError(dx!.dataSync(), finiteDifferenceGradient(lossOfX, x));
      const ef = maxRelativeError(dfilter!.dataSync(), finiteDifferenceGradient(lossOfFilter, filter));
      tf.dispose([dx!, dfilter!]);
      expect(tf.memory().numTensors, 'tensors leaked by the gradient').toBe(before);
      expect(ex.error, `dx error at ${ex.at}`).toBeLessThan(1e-4);
      expect(ef.error, `dfilter error at ${ef.at}`).toBeLessThan(1e-4);
      tf.dispose([x, filter, r]);
    });
  }
});

describe.runIf(backends.includes('wasm'))('wasm kernel fills agree with the cpu kernels', () => {
  const kernelCases = [
    { name: 'Conv2DBackpropFilter x=[2,7,6,3] dy=[2,4,3,2] f=[3,3,3,2] s=2 p=same', kernel: 'Conv2DBackpropFilter', x: [2, 7, 6, 3], dy: [2, 4, 3, 2], attrs: { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: [3, 3, 3, 2] } },
    // (cpu's depthwise backprop kernels ignore dilation, which tfjs never passes them, so d=1 here; the dilated
    // cases are covered by the finite-difference tests above.)
    { name: 'DepthwiseConv2dNativeBackpropFilter x=[2,7,7,2] dy=[2,4,4,4] f=[3,3,2,2] s=2 p=same', kernel: 'DepthwiseConv2dNativeBackpropFilter', x: [2, 7, 7, 2], dy: [2, 4, 4, 4], attrs: { strides: [2, 2], dilations: [1, 1], pad: 'same', dimRoundingMode: undefined, filterShape: [3, 3, 2, 2] } },
    { name: 'Conv2DBackpropInput (replaced: the original is a slow loop) dy=[2,4,5,3] f=[3,3,2,3] x=[2,8,9,2] s=2 p=same', kernel: 'Conv2DBackpropInput', filter: [3, 3, 2, 3], dy: [2, 4, 5, 3], attrs: { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: [2, 8, 9, 2] } },
    { name: 'DepthwiseConv2dNativeBackpropInput dy=[2,4,4,3] f=[3,3,3,1] x=[2,8,8,3] s=2 p=same', kernel: 'DepthwiseConv2dNativeBackpropInput', filter: [3, 3, 3, 1], dy: [2, 4, 4, 3], attrs: { strides: [2, 2], dilations: [1, 1], pad: 'same', dimRoundingMode: undefined, inputShape: [2, 8, 8, 3] } },
  ];
  for (const k of kernelCases) {
    it(k.name, async () => {
      const first = 'x' in k ? tf.randomNormal(k.x!, 0, 1, 'float32', 4) : tf.randomNormal(k.filter!, 0, 1, 'float32', 4);
      const dy = tf.randomNormal(k.dy, 0, 1, 'float32', 5);
      const inputs: tf.NamedTensorMap = 'x' in k ? { x: first, dy } : { dy, filter: first };
      const run = (): Float32Array => {
        const out = tf.engine().runKernel(k.kernel, inputs, k.attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
        const values = out.dataSync() as Float32Array;
        out.dispose();
        return values;
      };
      await useBackend('cpu');
      const reference = run();
      await useBackend('wasm');
      const filled = run();
      const { error, at } = maxRelativeError(filled, reference);
      expect(error, `${k.kernel} differs at ${at}`).toBeLessThan(1e-5);
      tf.dispose([first, dy]);
    });
  }
});
