import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createMixtureConvParams, gumbelCoefficients, mixtureConv, mixtureProbabilities } from '../../../../../src/worker/engine/ops/mixture-conv.ts';
import type { MixtureConvConfig } from '../../../../../src/worker/engine/ops/mixture-types.ts';
import { fieldSize, MIXTURE_METHODS, patternSpace, SeededRandom, type KernelPattern, type MixtureMethod } from '../../../../../src/shared/engine/index.ts';
import { naiveAlphaGradient, naiveForward, naiveGradients, naiveGumbelSoftmax, type NaiveLayer } from './naive-reference.ts';
import { maxRelativeError, prepareTestBackends, useBackend } from './test-backends.ts';

const backends = await prepareTestBackends();

interface Case {
  name: string;
  input: number[];
  config: MixtureConvConfig;
}

function layer(rank: 1 | 2, cin: number, cout: number, stride: number, patterns: KernelPattern[], depthwise: boolean): MixtureConvConfig {
  return { rank, inChannels: cin, outChannels: cout, stride, patterns, depthwise, bias: true };
}

const cases: Case[] = [
  { name: 'x=[2,9,9,3] k={3,5} d={1,3} s=1 dense 3->2', input: [2, 9, 9, 3], config: layer(2, 3, 2, 1, patternSpace([3, 5], [1, 3]), false) },
  { name: 'x=[2,9,9,4] k={3,5} d={1,3} s=2 depthwise', input: [2, 9, 9, 4], config: layer(2, 4, 4, 2, patternSpace([3, 5], [1, 3]), true) },
  { name: 'x=[1,5,7,2] k={3,5,7} d={1,2,4} s=2 dense 2->3, fields up to 25 > input', input: [1, 5, 7, 2], config: layer(2, 2, 3, 2, patternSpace([3, 5, 7], [1, 2, 4]), false) },
  { name: 'x=[2,6,8,2] ragged {k3d1, k5d3, k7d4, k3d7} s=1 depthwise', input: [2, 6, 8, 2], config: layer(2, 2, 2, 1, [{ kernel: 3, dilation: 1 }, { kernel: 5, dilation: 3 }, { kernel: 7, dilation: 4 }, { kernel: 3, dilation: 7 }], true) },
  { name: 'x=[2,7,5,2] even kernels k={2,3,4} d={1,3} s=1 dense 2->2', input: [2, 7, 5, 2], config: layer(2, 2, 2, 1, patternSpace([2, 3, 4], [1, 3]), false) },
  { name: 'x=[2,20,3] k={3,5,7} d={1,3,7} s=1 depthwise (1-D)', input: [2, 20, 3], config: layer(1, 3, 3, 1, patternSpace([3, 5, 7], [1, 3, 7]), true) },
  { name: 'x=[2,13,2] k={3,5} d={1,4} s=2 dense 2->3 (1-D)', input: [2, 13, 2], config: layer(1, 2, 3, 2, patternSpace([3, 5], [1, 4]), false) },
  { name: 'x=[1,6,2] k={3,5,9} d={1,3,5} s=1 dense 2->2, fields up to 41 > length 6 (1-D)', input: [1, 6, 2], config: layer(1, 2, 2, 1, patternSpace([3, 5, 9], [1, 3, 5]), false) },
];

function toNaiveLayer(config: MixtureConvConfig): NaiveLayer {
  return { rank: config.rank, cin: config.inChannels, cout: config.outChannels, stride: config.stride, depthwise: config.depthwise, padding: 'same', patterns: config.patterns };
}

function float64(t: tf.Tensor): Float64Array {
  return Float64Array.from(t.dataSync());
}

let layerCounter = 0;

/**
 * Runs forward + backward of mixtureConv with Gumbel coefficients and compares the output and the gradients of
 * L = sum(r * y) for x, every weight, alpha and the bias with the naive reference.
 */
function checkAgainstReference(testCase: Case, method: MixtureMethod, seed: number): void {
  const { config } = testCase;
  const rng = new SeededRandom(seed);
  const params = createMixtureConvParams(config, rng.fork('params'), `mixture-test-${layerCounter++}`);
  // Well-scaled values (the N(0, 0.01^2) init would make every tolerance look loose).
  params.weights.forEach((w) => w.assign(tf.tensor(rng.normalArray(w.size, 0, 0.5), w.shape)));
  params.alpha.assign(tf.tensor1d(rng.normalArray(config.patterns.length, 0, 1)));
  params.bias!.assign(tf.tensor1d(rng.normalArray(config.outChannels, 0, 1)));
  const xValues = rng.normalArray(testCase.input.reduce((a, b) => a * b, 1), 0, 1);
  const x = tf.variable(tf.tensor(xValues, testCase.input), true, `mixture-test-x-${layerCounter}`);
  const alphaValues = Array.from(params.alpha.dataSync());
  const gumbelSeed = seed + 1000;
  const gumbel = (() => {
    const g = new SeededRandom(gumbelSeed);
    return alphaValues.map(() => g.gumbel());
  })();
  const tau = 0.7;

  const naive = toNaiveLayer(config);
  const n = testCase.input[0]!;
  const input = config.rank === 2 ? { data: Float64Array.from(xValues), n, h: testCase.input[1]!, w: testCase.input[2]! } : { data: Float64Array.from(xValues), n, h: 1, w: testCase.input[1]! };
  const weights = params.weights.map(float64);
  const c = naiveGumbelSoftmax(alphaValues, gumbel, tau);
  const expected = naiveForward(naive, input, weights, c, float64(params.bias!));
  const r = new SeededRandom(seed + 7).normalArray(expected.y.length, 0, 1);
  const expectedGrads = naiveGradients(naive, input, weights, c, Float64Array.from(r));
  const expectedAlpha = naiveAlphaGradient(c, expectedGrads.coefficients, tau);

  const tensorsBefore = tf.memory().numTensors;
  const variables = [x, ...params.weights, params.alpha, params.bias!];
  const { value, grads } = tf.variableGrads(() => {
    const coefficients = gumbelCoefficients(params.alpha as tf.Tensor1D, new SeededRandom(gumbelSeed), tau);
    const y = mixtureConv(x, params, config, coefficients, { method });
    expect(y.shape).toEqual(config.rank === 2 ? [n, ...expected.shape.slice(1)] : [n, expected.shape[2], config.outChannels]);
    const out = y.dataSync();
    const forwardError = maxRelativeError(out, expected.y);
    expect(forwardError.error, `forward error at ${forwardError.at}`).toBeLessThan(2e-5);
    return tf.sum(tf.mul(y, tf.tensor(r, y.shape))) as tf.Scalar;
  }, variables);
  const check = (name: string, actual: tf.Tensor | undefined, reference: ArrayLike<number>): void => {
    expect(actual, `gradient of ${name}`).toBeDefined();
    const { error, at } = maxRelativeError(actual!.dataSync(), reference);
    expect(error, `${name} gradient error at ${at}`).toBeLessThan(5e-5);
  };
  check('x', grads[x.name], expectedGrads.x);
  params.weights.forEach((w, i) => check(`weight ${i} (k=${config.patterns[i]!.kernel}, d=${config.patterns[i]!.dilation})`, grads[w.name], expectedGrads.weights[i]!));
  check('alpha', grads[params.alpha.name], expectedAlpha);
  check('bias', grads[params.bias!.name], expectedGrads.bias);
  value.dispose();
  tf.dispose(Object.values(grads));
  expect(tf.memory().numTensors, 'tensors leaked by forward + backward').toBe(tensorsBefore);
  tf.dispose(variables);
}

describe.each(backends)('mixtureConv on %s', (backend) => {
  for (const testCase of cases) {
    for (const method of MIXTURE_METHODS) {
      it(`${testCase.name} method=${method} matches the naive reference (forward, dx, dw, dalpha, dbias)`, async () => {
        await useBackend(backend);
        checkAgainstReference(testCase, method, 17 + testCase.name.length);
      });
    }
  }

  it('picks a method by cost when none is given, with the same result as per-pattern', async () => {
    await useBackend(backend);
    const config = layer(2, 4, 4, 1, patternSpace([3, 5], [1, 3]), true);
    const params = createMixtureConvParams(config, new SeededRandom(3), `mixture-auto-${layerCounter++}`);
    const x = tf.randomNormal([1, 6, 6, 4], 0, 1, 'float32', 5);
    const c = mixtureProbabilities(params.alpha as tf.Tensor1D);
    const auto = mixtureConv(x, params, config, c);
    const reference = mixtureConv(x, params, config, c, { method: 'per-pattern' });
    expect(maxRelativeError(auto.dataSync(), reference.dataSync()).error).toBeLessThan(1e-5);
    tf.dispose([x, c, auto, reference, ...params.weights, params.alpha, params.bias!]);
  });
});

describe('mixture parameters and coefficients', () => {
  it('fieldSize is d(k-1)+1 and patternSpace is kernel-major (i = iK*|D| + iD)', () => {
    expect(fieldSize({ kernel: 9, dilation: 15 })).toBe(121);
    const space = patternSpace([3, 5, 7, 9], [1, 3, 7, 15]);
    expect(space).toHaveLength(16);
    expect(space[1 * 4 + 2]).toEqual({ kernel: 5, dilation: 7 });
  });

  it('createMixtureConvParams: weights N(0, 0.01^2) per pattern in tfjs layouts, alpha 1e-3*N(0,1), zero bias, same seed same values', () => {
    const config = layer(2, 8, 8, 1, patternSpace([3, 5, 7, 9], [1, 3, 7, 15]), true);
    const a = createMixtureConvParams(config, new SeededRandom(42), 'init-a');
    const b = createMixtureConvParams(config, new SeededRandom(42), 'init-b');
    expect(a.weights.map((w) => w.shape)[15]).toEqual([9, 9, 8, 1]);
    const all = a.weights.flatMap((w) => Array.from(w.dataSync()));
    const mean = all.reduce((s, v) => s + v, 0) / all.length;
    const std = Math.sqrt(all.reduce((s, v) => s + (v - mean) ** 2, 0) / all.length);
    expect(Math.abs(mean)).toBeLessThan(1e-3);
    expect(std).toBeGreaterThan(0.0095);
    expect(std).toBeLessThan(0.0105);
    const alpha = Array.from(a.alpha.dataSync());
    expect(Math.max(...alpha.map(Math.abs))).toBeLessThan(5e-3);
    expect(Math.max(...alpha.map(Math.abs))).toBeGreaterThan(1e-5);
    expect(Array.from(a.bias!.dataSync())).toEqual(new Array(8).fill(0));
    expect(Array.from(b.weights[7]!.dataSync())).toEqual(Array.from(a.weights[7]!.dataSync()));
    const dense1d = createMixtureConvParams(layer(1, 3, 5, 1, [{ kernel: 11, dilation: 2 }], false), new SeededRandom(1), 'init-c');
    expect(dense1d.weights[0]!.shape).toEqual([11, 3, 5]);
    tf.dispose([...a.weights, a.alpha, a.bias!, ...b.weights, b.alpha, b.bias!, ...dense1d.weights, dense1d.alpha, dense1d.bias!]);
  });

  it('gumbelCoefficients: sums to 1, fresh noise per call, reproducible per seed, noise-free mean near softmax(alpha)', () => {
    const alpha = tf.tensor1d([0.5, -0.2, 1.5, 0]);
    const rng = new SeededRandom(9);
    const first = Array.from(gumbelCoefficients(alpha, rng).dataSync());
    const second = Array.from(gumbelCoefficients(alpha, rng).dataSync());
    expect(first.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    expect(first).not.toEqual(second);
    expect(Array.from(gumbelCoefficients(alpha, new SeededRandom(9)).dataSync())).toEqual(first);
    // With tau = 1, argmax of log p + g is distributed as softmax(alpha) (the Gumbel-max trick).
    const p = Array.from(mixtureProbabilities(alpha).dataSync());
    const counts = [0, 0, 0, 0];
    const sampler = new SeededRandom(10);
    for (let i = 0; i < 2000; i++) {
      const c = gumbelCoefficients(alpha, sampler).dataSync();
      counts[c.indexOf(Math.max(...c))]! += 1;
    }
    counts.forEach((k, i) => expect(k / 2000).toBeCloseTo(p[i]!, 1));
    alpha.dispose();
  });

  it('rejects inconsistent configurations with messages naming the values', () => {
    expect(() => createMixtureConvParams(layer(2, 4, 8, 1, [{ kernel: 3, dilation: 1 }], true), new SeededRandom(1), 'bad')).toThrow(/depthwise needs inChannels === outChannels, got 4 and 8/);
    const config = layer(1, 2, 2, 1, [{ kernel: 3, dilation: 1 }], false);
    const params = createMixtureConvParams(config, new SeededRandom(1), 'bad-input');
    const x = tf.zeros([1, 4, 4, 2]);
    expect(() => mixtureConv(x, params, config, tf.ones([1]) as tf.Tensor1D)).toThrow(/rank-1 layer needs a rank-3 input/);
    tf.dispose([x, ...params.weights, params.alpha, params.bias!]);
  });
});
