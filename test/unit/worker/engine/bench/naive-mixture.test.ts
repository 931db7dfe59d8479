import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { naiveMixture, naiveMixtureFlops } from '../../../../../src/worker/engine/bench/naive-mixture.ts';
import type { MixtureConvConfig } from '../../../../../src/worker/engine/ops/mixture-types.ts';
import { patternSpace, SeededRandom, type KernelPattern } from '../../../../../src/shared/engine/index.ts';
import { naiveForward, naiveGradients } from '../ops/naive-reference.ts';
import { maxRelativeError, prepareTestBackends, useBackend } from '../ops/test-backends.ts';

const backends = await prepareTestBackends();

function layer(rank: 1 | 2, cin: number, cout: number, stride: number, patterns: KernelPattern[], depthwise: boolean): MixtureConvConfig {
  return { rank, inChannels: cin, outChannels: cout, stride, patterns, depthwise, bias: true };
}

// The benchmark's yardstick must itself be right: checked against the nested-loop float64 reference, including
// stride with dilation (the stride-1-then-subsample branch) and fields larger than the input.
const cases: Array<{ name: string; input: number[]; config: MixtureConvConfig }> = [
  { name: '2-D dense 3->2 k={3,5} d={1,3} s=1', input: [2, 7, 9, 3], config: layer(2, 3, 2, 1, patternSpace([3, 5], [1, 3]), false) },
  { name: '2-D depthwise 4 k={3,5} d={1,3} s=2', input: [2, 9, 8, 4], config: layer(2, 4, 4, 2, patternSpace([3, 5], [1, 3]), true) },
  { name: '2-D dense 2->3 k={3,7} d={1,4} s=2, fields up to 25 > input', input: [1, 5, 7, 2], config: layer(2, 2, 3, 2, patternSpace([3, 7], [1, 4]), false) },
  { name: '1-D dense 2->3 k={3,5} d={1,4} s=2', input: [2, 13, 2], config: layer(1, 2, 3, 2, patternSpace([3, 5], [1, 4]), false) },
  { name: '1-D depthwise 3 k={3,7} d={1,7} s=1, field 43 > length 11', input: [2, 11, 3], config: layer(1, 3, 3, 1, patternSpace([3, 7], [1, 7]), true) },
];

describe.each(backends)('naiveMixture on %s', (backend) => {
  for (const c of cases) {
    it(`${c.name}: output and the gradients of x, weights, coefficients and bias match the loop reference`, async () => {
      await useBackend(backend);
      const { config, input } = c;
      const rng = new SeededRandom(5);
      const weightShape = (p: KernelPattern): number[] => {
        const io = config.depthwise ? [config.inChannels, 1] : [config.inChannels, config.outChannels];
        return config.rank === 2 ? [p.kernel, p.kernel, ...io] : [p.kernel, ...io];
      };
      const xValues = rng.normalArray(input.reduce((a, b) => a * b, 1), 0, 1);
      const weightValues = config.patterns.map((p) => rng.normalArray(weightShape(p).reduce((a, b) => a * b, 1), 0, 0.5));
      const coefficientValues = Array.from(rng.normalArray(config.patterns.length, 0, 1));
      const biasValues = rng.normalArray(config.outChannels, 0, 1);
      const n = input[0]!;
      const reference = { rank: config.rank, cin: config.inChannels, cout: config.outChannels, stride: config.stride, depthwise: config.depthwise, padding: 'same' as const, patterns: config.patterns };
      const loopInput = { data: Float64Array.from(xValues), n, h: config.rank === 2 ? input[1]! : 1, w: config.rank === 2 ? input[2]! : input[1]! };
      const weights64 = weightValues.map((w) => Float64Array.from(w));
      const expected = naiveForward(reference, loopInput, weights64, coefficientValues, Float64Array.from(biasValues));
      const r = new SeededRandom(9).normalArray(expected.y.length, 0, 1);
      const expectedGrads = naiveGradients(reference, loopInput, weights64, coefficientValues, Float64Array.from(r));

      const x = tf.tensor(xValues, input);
      const ws = weightValues.map((w, i) => tf.tensor(w, weightShape(config.patterns[i]!)));
      const coefficients = tf.tensor1d(coefficientValues);
      const bias = tf.tensor1d(biasValues);
      const before = tf.memory().numTensors;
      let forward: Float32Array | null = null;
      const grads = tf.grads((...args: tf.Tensor[]) => {
        const y = naiveMixture(args[0]!, args.slice(1, 1 + ws.length), args[1 + ws.length] as tf.Tensor1D, args[2 + ws.length]!, config);
        forward = y.dataSync() as Float32Array;
        return tf.sum(tf.mul(y, tf.tensor(r, y.shape)));
      })([x, ...ws, coefficients, bias]);
      expect(maxRelativeError(forward!, expected.y).error).toBeLessThan(2e-5);
      expect(maxRelativeError(grads[0]!.dataSync(), expectedGrads.x).error, 'dx').toBeLessThan(5e-5);
      ws.forEach((_, i) => expect(maxRelativeError(grads[1 + i]!.dataSync(), expectedGrads.weights[i]!).error, `dw ${i}`).toBeLessThan(5e-5));
      expect(maxRelativeError(grads[1 + ws.length]!.dataSync(), expectedGrads.coefficients).error, 'dc').toBeLessThan(5e-5);
      expect(maxRelativeError(grads[2 + ws.length]!.dataSync(), expectedGrads.bias).error, 'db').toBeLessThan(5e-5);
      tf.dispose(grads);
      expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
      tf.dispose([x, ...ws, coefficients, bias]);
    });
  }
});

describe('naiveMixtureFlops', () => {
  it('counts 3 x 2 x N x outputs x taps x channels over every pattern, padding-only taps included', () => {
    // 2-D dense 3->2, stride 2 on 7x9: outputs 4x5; taps 3^2 + 5^2 per dilation, two dilations.
    expect(naiveMixtureFlops(layer(2, 3, 2, 2, patternSpace([3, 5], [1, 3]), false), [2, 7, 9, 3])).toBe(3 * 2 * 2 * (4 * 5) * (2 * (9 + 25)) * 3 * 2);
    // 1-D depthwise 4 on length 10: outputs 10, taps 3 + 7, channels 4 (not 4 x 4).
    expect(naiveMixtureFlops(layer(1, 4, 4, 1, patternSpace([3, 7], [2]), true), [5, 10, 4])).toBe(3 * 2 * 5 * 10 * (3 + 7) * 4);
  });
});
