import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { patternConv, type PatternConvOptions } from '../../../../../src/worker/engine/ops/pattern-conv.ts';
import { SeededRandom } from '../../../../../src/shared/engine/index.ts';
import { naiveForward, naiveGradients, type NaiveLayer } from './naive-reference.ts';
import { maxRelativeError, prepareTestBackends, useBackend } from './test-backends.ts';

const backends = await prepareTestBackends();

interface Case {
  name: string;
  x: number[];
  cout: number;
  options: PatternConvOptions;
}

const cases: Case[] = [
  { name: 'x=[2,9,9,3] k=3 d=2 s=1 same dense 3->4', x: [2, 9, 9, 3], cout: 4, options: { rank: 2, kernel: 3, dilation: 2, stride: 1, padding: 'same', depthwise: false } },
  { name: 'x=[2,10,8,4] k=5 d=3 s=2 same depthwise', x: [2, 10, 8, 4], cout: 4, options: { rank: 2, kernel: 5, dilation: 3, stride: 2, padding: 'same', depthwise: true } },
  { name: 'x=[1,5,6,2] k=4 d=3 s=2 same dense 2->3 (even kernel, extent 10 > input)', x: [1, 5, 6, 2], cout: 3, options: { rank: 2, kernel: 4, dilation: 3, stride: 2, padding: 'same', depthwise: false } },
  { name: 'x=[2,16,3] k=5 d=4 s=1 causal dense 3->2 (1-D)', x: [2, 16, 3], cout: 2, options: { rank: 1, kernel: 5, dilation: 4, stride: 1, padding: 'causal', depthwise: false } },
  { name: 'x=[2,15,2] k=3 d=7 s=2 causal depthwise (1-D)', x: [2, 15, 2], cout: 2, options: { rank: 1, kernel: 3, dilation: 7, stride: 2, padding: 'causal', depthwise: true } },
  { name: 'x=[1,7,2] k=9 d=3 s=1 same dense 2->2 (1-D, extent 25 > length 7)', x: [1, 7, 2], cout: 2, options: { rank: 1, kernel: 9, dilation: 3, stride: 1, padding: 'same', depthwise: false } },
];

describe.each(backends)('patternConv on %s', (backend) => {
  for (const c of cases) {
    it(`${c.name} matches the naive reference (forward, dx, dw, dbias)`, async () => {
      await useBackend(backend);
      const { options } = c;
      const cin = c.x[c.x.length - 1]!;
      const rng = new SeededRandom(c.name.length);
      const weightShape = [...(options.rank === 2 ? [options.kernel, options.kernel] : [options.kernel]), cin, options.depthwise ? 1 : c.cout];
      const x = tf.tensor(rng.normalArray(c.x.reduce((a, b) => a * b, 1)), c.x);
      const weight = tf.tensor(rng.normalArray(weightShape.reduce((a, b) => a * b, 1)), weightShape);
      const bias = tf.tensor1d(rng.normalArray(c.cout));
      const layer: NaiveLayer = { rank: options.rank, cin, cout: c.cout, stride: options.stride, depthwise: options.depthwise, padding: options.padding, patterns: [{ kernel: options.kernel, dilation: options.dilation }] };
      const input = { data: Float64Array.from(x.dataSync()), n: c.x[0]!, h: options.rank === 2 ? c.x[1]! : 1, w: c.x[options.rank === 2 ? 2 : 1]! };
      const w64 = Float64Array.from(weight.dataSync());
      const expected = naiveForward(layer, input, [w64], [1], Float64Array.from(bias.dataSync()));
      const r = Float64Array.from(rng.normalArray(expected.y.length));
      const expectedGrads = naiveGradients(layer, input, [w64], [1], r);

      const before = tf.memory().numTensors;
      const y = patternConv(x, weight, bias, options);
      expect(y.shape).toEqual(options.rank === 2 ? expected.shape : [expected.shape[0], expected.shape[2], expected.shape[3]]);
      const forward = maxRelativeError(y.dataSync(), expected.y);
      expect(forward.error, `forward error at ${forward.at}`).toBeLessThan(2e-5);
      const rt = tf.tensor(Float32Array.from(r), y.shape);
      const [dx, dw, db] = tf.grads((a: tf.Tensor, b: tf.Tensor, c2: tf.Tensor) => tf.sum(tf.mul(patternConv(a, b, c2, options), rt)))([x, weight, bias]);
      for (const [name, actual, reference] of [['x', dx, expectedGrads.x], ['weight', dw, expectedGrads.weights[0]!], ['bias', db, expectedGrads.bias]] as const) {
        const { error, at } = maxRelativeError(actual!.dataSync(), reference);
        expect(error, `${name} gradient error at ${at}`).toBeLessThan(5e-5);
      }
      tf.dispose([y, rt, dx!, dw!, db!]);
      expect(tf.memory().numTensors, 'tensors leaked by forward + backward').toBe(before);
      tf.dispose([x, weight, bias]);
    });
  }
});

describe('patternConv argument checks', () => {
  it('refuses causal padding in 2-D and a weight that does not match the kernel', () => {
    const x = tf.zeros([1, 4, 4, 2]);
    const w = tf.zeros([3, 3, 2, 2]);
    expect(() => patternConv(x, w, null, { rank: 2, kernel: 3, dilation: 1, stride: 1, padding: 'causal', depthwise: false })).toThrow(/causal padding is defined for 1-D/);
    expect(() => patternConv(x, w, null, { rank: 2, kernel: 5, dilation: 1, stride: 1, padding: 'same', depthwise: false })).toThrow(/weight shape \[3,3,2,2\] does not match kernel 5/);
    tf.dispose([x, w]);
  });
});
