/**
 * The checks every extra backend is held to against the cpu backend (native TensorFlow in a forked process:
 * test/integration/engine/native-backend-child.ts; webgpu in a Chromium page: test/unit/worker/browser/fixtures/
 * equivalence-page.ts): every mixture method with all its gradients, and every gradient and kernel fill of
 * src/worker/engine/ops/kernels. Plain engine code read back asynchronously (a headless WebGPU page has no
 * synchronous readback), so both hosts run the same list; each output's error is its max absolute difference
 * relative to the cpu result's largest magnitude.
 */
import * as tf from '@tensorflow/tfjs-core';
import { irfftParts, rfftParts } from '../../src/worker/engine/ops/kernels/fft-gradients.ts';
import { createMixtureConvParams, gumbelCoefficients, mixtureConv } from '../../src/worker/engine/ops/mixture-conv.ts';
import type { MixtureConvConfig } from '../../src/worker/engine/ops/mixture-types.ts';
import { MIXTURE_METHODS, patternSpace, SeededRandom } from '../../src/shared/engine/index.ts';

type Named = Record<string, Float32Array | Int32Array>;

interface Check {
  name: string;
  /** What the active backend computes: named outputs, read back asynchronously. */
  compute(): Promise<Named>;
}

export interface EquivalenceResult {
  name: string;
  /** Max |candidate - cpu| / max |cpu| per output. */
  errors: Record<string, number>;
  cpuMs: number;
  candidateMs: number;
  /** The backend active after the candidate computed (a check that silently fell back would show here). */
  backend: string;
}

async function read(tensors: Record<string, tf.Tensor>): Promise<Named> {
  const out: Named = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = (await t.data()) as Float32Array | Int32Array;
  tf.dispose(Object.values(tensors));
  return out;
}

function mixtureCheck(name: string, input: number[], config: MixtureConvConfig, method: (typeof MIXTURE_METHODS)[number]): Check {
  return {
    name: `mixtureConv ${name} method=${method} (y, dx, dweights, dalpha, dbias)`,
    compute: async () => {
      const rng = new SeededRandom(11);
      const params = createMixtureConvParams(config, rng.fork('params'), `eq-${name}-${method}-${tf.getBackend()}`);
      params.weights.forEach((w) => w.assign(tf.tensor(rng.normalArray(w.size, 0, 0.5), w.shape)));
      params.alpha.assign(tf.tensor1d(rng.normalArray(config.patterns.length, 0, 1)));
      params.bias!.assign(tf.tensor1d(rng.normalArray(config.outChannels, 0, 1)));
      const x = tf.variable(tf.tensor(rng.normalArray(input.reduce((a, b) => a * b, 1), 0, 1), input));
      let y: tf.Tensor | null = null;
      const variables = [x, ...params.weights, params.alpha, params.bias!];
      const { value, grads } = tf.variableGrads(() => {
        const c = gumbelCoefficients(params.alpha as tf.Tensor1D, new SeededRandom(5), 0.7);
        const out = mixtureConv(x, params, config, c, { method });
        y = tf.keep(out.clone());
        return tf.sum(tf.mul(out, tf.tensor(new SeededRandom(7).normalArray(out.size, 0, 1), out.shape))) as tf.Scalar;
      }, variables);
      const named: Record<string, tf.Tensor> = { y: y!, dx: grads[x.name]!, dalpha: grads[params.alpha.name]!, dbias: grads[params.bias!.name]! };
      params.weights.forEach((w, i) => (named[`dweight${i}`] = grads[w.name]!));
      const result = await read(named);
      value.dispose();
      tf.dispose(variables);
      return result;
    },
  };
}

const constants = new Map<number, tf.Tensor4D>();

/** A seeded constant made on the check's current backend (one per seed and backend). */
function convFilter(shape: number[], seed: number): tf.Tensor4D {
  let t = constants.get(seed);
  if (t === undefined) {
    t = tf.tensor4d(new SeededRandom(seed).normalArray(shape.reduce((a, b) => a * b, 1), 0, 0.5), shape as [number, number, number, number]);
    constants.set(seed, t);
  }
  return t;
}

function clearConstants(): void {
  tf.dispose([...constants.values()]);
  constants.clear();
}

/** A gradient of sum(r * f(x)) for x, and f(x) itself. */
function gradientCheck(name: string, shape: number[], f: (x: tf.Tensor) => tf.Tensor): Check {
  return {
    name,
    compute: async () => {
      const x = tf.tensor(new SeededRandom(3).normalArray(shape.reduce((a, b) => a * b, 1), 0, 1), shape);
      clearConstants(); // constants are made afresh on each backend
      const y = f(x);
      const r = tf.tensor(new SeededRandom(4).normalArray(y.size, 0, 1), y.shape);
      const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), r)))(x);
      const result = await read({ y, dx });
      tf.dispose([x, r]);
      return result;
    },
  };
}

/** Four mixture layers per method (1-D dense, small and of 9 patterns, 2-D dense strided, 2-D depthwise strided), then the fills. */
export function equivalenceChecks(): Check[] {
  const dense1d: MixtureConvConfig = { rank: 1, inChannels: 2, outChannels: 3, stride: 1, patterns: patternSpace([3, 5], [1, 2]), depthwise: false, bias: true };
  const dense2d: MixtureConvConfig = { rank: 2, inChannels: 3, outChannels: 2, stride: 2, patterns: patternSpace([3, 5], [1, 3]), depthwise: false, bias: true };
  const depthwise2d: MixtureConvConfig = { rank: 2, inChannels: 2, outChannels: 2, stride: 2, patterns: patternSpace([3, 5], [1, 2]), depthwise: true, bias: true };
  // Nine patterns: per-pattern's sum has more terms than one webgpu shader binds (register.ts's webgpuAddN).
  const wide1d: MixtureConvConfig = { rank: 1, inChannels: 2, outChannels: 2, stride: 1, patterns: patternSpace([3, 5, 7], [1, 2, 3]), depthwise: false, bias: true };
  const depthwise1d: MixtureConvConfig = { rank: 1, inChannels: 3, outChannels: 3, stride: 1, patterns: patternSpace([3, 5], [1, 2]), depthwise: true, bias: true };
  // A layer as P-DASH's later rounds leave it: two patterns of one kernel size.
  const pair1d: MixtureConvConfig = { rank: 1, inChannels: 3, outChannels: 3, stride: 1, patterns: patternSpace([3], [1, 2]), depthwise: true, bias: true };
  const list: Check[] = [];
  for (const method of MIXTURE_METHODS) {
    list.push(mixtureCheck('x=[2,12,2] k={3,5} d={1,2} s=1 dense (1-D)', [2, 12, 2], dense1d, method));
    list.push(mixtureCheck('x=[2,16,2] k={3,5,7} d={1,2,3} s=1 dense (1-D, 9 patterns)', [2, 16, 2], wide1d, method));
    list.push(mixtureCheck('x=[2,14,3] k={3,5} d={1,2} s=1 depthwise (1-D)', [2, 14, 3], depthwise1d, method));
    list.push(mixtureCheck('x=[2,12,3] k={3} d={1,2} s=1 depthwise (1-D, 2 patterns)', [2, 12, 3], pair1d, method));
    list.push(mixtureCheck('x=[2,9,9,3] k={3,5} d={1,3} s=2 dense', [2, 9, 9, 3], dense2d, method));
    list.push(mixtureCheck('x=[1,7,7,2] k={3,5} d={1,2} s=2 depthwise', [1, 7, 7, 2], depthwise2d, method));
  }
  // conv-gradients.ts through register.ts's Conv2D / DepthwiseConv2dNative gradients: dilation > 1 (the fills) and
  // dilation 1 with stride 2 (the backends' own backprop kernels where register.ts keeps them).
  const w = (): tf.Tensor4D => convFilter([3, 3, 2, 3], 8);
  const dw = (): tf.Tensor4D => convFilter([3, 3, 2, 1], 9);
  list.push(gradientCheck('Conv2D gradient x=[1,8,8,2] k=3 d=2 s=1 same (input)', [1, 8, 8, 2], (x) => tf.conv2d(x as tf.Tensor4D, w(), 1, 'same', 'NHWC', 2)));
  list.push(gradientCheck('Conv2D gradient x=[1,9,9,2] k=3 d=1 s=2 same (input)', [1, 9, 9, 2], (x) => tf.conv2d(x as tf.Tensor4D, w(), 2, 'same')));
  list.push(gradientCheck('Conv2D gradient w=[3,3,2,3] d=2 (filter)', [3, 3, 2, 3], (f) => tf.conv2d(convFilter([1, 8, 8, 2], 10), f as tf.Tensor4D, 1, 'same', 'NHWC', 2)));
  list.push(gradientCheck('Conv2D gradient w=[3,3,2,3] d=1 s=2 (filter)', [3, 3, 2, 3], (f) => tf.conv2d(convFilter([1, 9, 9, 2], 13), f as tf.Tensor4D, 2, 'same')));
  list.push(gradientCheck('DepthwiseConv2dNative gradient x=[1,8,8,2] k=3 d=2 (input)', [1, 8, 8, 2], (x) => tf.depthwiseConv2d(x as tf.Tensor4D, dw(), 1, 'same', 'NHWC', 2)));
  list.push(gradientCheck('DepthwiseConv2dNative gradient w=[3,3,2,1] d=2 (filter)', [3, 3, 2, 1], (f) => tf.depthwiseConv2d(convFilter([1, 8, 8, 2], 12), f as tf.Tensor4D, 1, 'same', 'NHWC', 2)));
  list.push(gradientCheck('DepthwiseConv2dNative gradient w=[3,3,2,1] d=1 s=2 (filter)', [3, 3, 2, 1], (f) => tf.depthwiseConv2d(convFilter([1, 9, 9, 2], 14), f as tf.Tensor4D, 2, 'same')));
  list.push(gradientCheck('Conv2DBackpropInput (conv2dTranspose) x=[1,4,4,3] s=2', [1, 4, 4, 3], (x) => tf.conv2dTranspose(x as tf.Tensor4D, w(), [1, 8, 8, 2], 2, 'same')));
  // fft-gradients.ts: rfft/irfft with their FFT backward passes.
  list.push(gradientCheck('rfft/irfft round trip x=[2,16]', [2, 16], (x) => { const [re, im] = rfftParts(x); return irfftParts(tf.mul(re, tf.linspace(0.5, 1.5, re.shape[1]!)), im); }));
  list.push(gradientCheck('rfft parts x=[2,15]', [2, 15], (x) => tf.concat(rfftParts(x), 1)));
  // general-gradients.ts, and the kernels register.ts fills or fixes for some backends.
  list.push(gradientCheck('StridedSlice gradient x=[4,6]', [4, 6], (x) => tf.stridedSlice(x, [1, 0], [4, 6], [2, 3])));
  list.push(gradientCheck('StridedSlice gradient x=[1,6,6,2] strides [1,2,2,1] (a rank-6 pad)', [1, 6, 6, 2], (x) => tf.stridedSlice(x, [0, 0, 1, 0], [1, 6, 6, 2], [1, 2, 2, 1])));
  list.push(gradientCheck('Cumsum gradient axis 0 x=[5,3]', [5, 3], (x) => tf.cumsum(x, 0)));
  list.push(gradientCheck('Cumsum gradient axis 1 exclusive reverse x=[3,5]', [3, 5], (x) => tf.cumsum(x, 1, true, true)));
  list.push(gradientCheck('TopK values gradient x=[3,6]', [3, 6], (x) => tf.topk(x, 2).values));
  list.push(gradientCheck('comparison (zero gradient) x=[3,4]', [3, 4], (x) => tf.add(tf.cast(tf.greater(x, 0), 'float32'), x)));
  list.push(gradientCheck('gather gradient (UnsortedSegmentSum) x=[5,3]', [5, 3], (x) => tf.gather(x, tf.tensor1d([0, 2, 2, 4], 'int32'))));
  list.push(gradientCheck('oneHot float x=[4]', [4], (x) => tf.mul(tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3), tf.reshape(x, [4, 1]))));
  // register.ts's webgpu PadV2 for ranks above 4 (StridedSlice's gradient of a strided NHWC slice makes them).
  list.push(gradientCheck('PadV2 rank 6 x=[1,2,3,2,2,2]', [1, 2, 3, 2, 2, 2], (x) => tf.pad(x, [[0, 0], [1, 0], [0, 2], [0, 0], [1, 1], [0, 0]], 0.5)));
  list.push(gradientCheck('MaxPool gradient x=[1,6,6,2] 2x2 s=2', [1, 6, 6, 2], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')));
  return list;
}

function relativeError(actual: Float32Array | Int32Array | undefined, expected: Float32Array | Int32Array): number {
  if (actual === undefined || actual.length !== expected.length) return Infinity;
  let scale = 1e-6;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let error = 0;
  for (let i = 0; i < expected.length; i++) error = Math.max(error, Math.abs(actual[i]! - expected[i]!) / scale);
  return Number.isNaN(error) ? Infinity : error;
}

/** Every check on 'cpu' then on `candidate` (both registered already), with the same inputs. */
export async function compareWithCpu(candidate: string): Promise<EquivalenceResult[]> {
  const results: EquivalenceResult[] = [];
  for (const check of equivalenceChecks()) {
    await tf.setBackend('cpu');
    let started = performance.now();
    const reference = await check.compute();
    const cpuMs = performance.now() - started;
    await tf.setBackend(candidate);
    started = performance.now();
    const actual = await check.compute();
    const candidateMs = performance.now() - started;
    const errors: Record<string, number> = {};
    for (const [name, expected] of Object.entries(reference)) errors[name] = relativeError(actual[name], expected);
    results.push({ name: check.name, errors, cpuMs, candidateMs, backend: tf.getBackend() });
  }
  clearConstants();
  return results;
}
