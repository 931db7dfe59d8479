/**
 * The process native-backend.test.ts forks (a tfjs backend is per process, and the native library stays loaded):
 * `probe` says whether the native 'tensorflow' backend starts through the worker's runtime; `compare` computes every
 * check on 'tensorflow' and on 'cpu' with the same inputs and sends each output's max error relative to the cpu
 * result's largest magnitude, as the webgpu equivalence page does (test/unit/worker/browser/fixtures/equivalence-page.ts,
 * whose checks these are); `runs` does a tiny DASH and P-DASH run on each backend and sends what they recorded.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setupNodeRuntime } from '../../../src/worker/node-runtime.ts';
import { runMethod, type RunDataset } from '../../../src/worker/engine/index.ts';
import { createMixtureConvParams, gumbelCoefficients, mixtureConv } from '../../../src/worker/engine/ops/mixture-conv.ts';
import type { MixtureConvConfig } from '../../../src/worker/engine/ops/mixture-types.ts';
import { irfftParts, rfftParts } from '../../../src/worker/engine/ops/kernels/fft-gradients.ts';
import { MIXTURE_METHODS, patternSpace, resolveConfig, SeededRandom, type EngineEvent, type RunConfig } from '../../../src/shared/engine/index.ts';
import type { Method } from '../../../src/shared/contract/index.ts';
import { disposeDataset, stripes2d, waves1d } from '../../unit/worker/engine/search/synthetic-tasks.ts';

export interface ProbeAnswer {
  available: boolean;
  detail: string;
}

export interface CheckResult {
  name: string;
  /** Max |tensorflow - cpu| / max |cpu| over each output. */
  errors: Record<string, number>;
  /** The backend active after the native computation (the check switched to 'tensorflow' and stayed there). */
  backend: string;
  tensorflowMs: number;
  cpuMs: number;
}

export interface RunRecord {
  backend: string;
  method: Method;
  task: string;
  /** Search-phase training loss per epoch, in event order (P-DASH: every round). */
  searchLosses: number[];
  /** Every alpha snapshot's alpha values, flattened in event order. */
  alphas: number[][];
  /** The smallest gap between a layer's two largest alphas in the last snapshot (what the selection decides by). */
  lastMargin: number;
  archId: string;
  metric: number;
  ms: number;
}

type Named = Record<string, Float32Array | Int32Array>;

interface Check {
  name: string;
  compute(): Named;
}

function read(tensors: Record<string, tf.Tensor>): Named {
  const out: Named = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = t.dataSync() as Float32Array | Int32Array;
  tf.dispose(Object.values(tensors));
  return out;
}

function mixtureCheck(name: string, input: number[], config: MixtureConvConfig, method: (typeof MIXTURE_METHODS)[number]): Check {
  return {
    name: `mixtureConv ${name} method=${method} (y, dx, dweights, dalpha, dbias)`,
    compute: () => {
      const rng = new SeededRandom(11);
      const params = createMixtureConvParams(config, rng.fork('params'), `native-${name}-${method}-${tf.getBackend()}`);
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
      const result = read(named);
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

/** A gradient of sum(r * f(x)) for x, and f(x) itself. */
function gradientCheck(name: string, shape: number[], f: (x: tf.Tensor) => tf.Tensor): Check {
  return {
    name,
    compute: () => {
      const x = tf.tensor(new SeededRandom(3).normalArray(shape.reduce((a, b) => a * b, 1), 0, 1), shape);
      tf.dispose([...constants.values()]);
      constants.clear();
      const y = f(x);
      const r = tf.tensor(new SeededRandom(4).normalArray(y.size, 0, 1), y.shape);
      const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), r)))(x);
      const result = read({ y, dx });
      tf.dispose([x, r]);
      return result;
    },
  };
}

function checks(): Check[] {
  const dense1d: MixtureConvConfig = { rank: 1, inChannels: 2, outChannels: 3, stride: 1, patterns: patternSpace([3, 5], [1, 2]), depthwise: false, bias: true };
  const dense2d: MixtureConvConfig = { rank: 2, inChannels: 3, outChannels: 2, stride: 2, patterns: patternSpace([3, 5], [1, 3]), depthwise: false, bias: true };
  const depthwise2d: MixtureConvConfig = { rank: 2, inChannels: 2, outChannels: 2, stride: 2, patterns: patternSpace([3, 5], [1, 2]), depthwise: true, bias: true };
  const list: Check[] = [];
  for (const method of MIXTURE_METHODS) {
    list.push(mixtureCheck('x=[2,12,2] k={3,5} d={1,2} s=1 dense (1-D)', [2, 12, 2], dense1d, method));
    list.push(mixtureCheck('x=[2,9,9,3] k={3,5} d={1,3} s=2 dense', [2, 9, 9, 3], dense2d, method));
    list.push(mixtureCheck('x=[1,7,7,2] k={3,5} d={1,2} s=2 depthwise', [1, 7, 7, 2], depthwise2d, method));
  }
  // conv-gradients.ts through register.ts's Conv2D / DepthwiseConv2dNative gradients: dilation > 1 (the fills), and
  // dilation 1 (TensorFlow's own backprop kernels, which register.ts keeps on 'tensorflow').
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
  // fft-gradients.ts: rfft/irfft with their FFT backward passes (both backends have complex kernels).
  list.push(gradientCheck('rfft/irfft round trip x=[2,16]', [2, 16], (x) => { const [re, im] = rfftParts(x); return irfftParts(tf.mul(re, tf.linspace(0.5, 1.5, re.shape[1]!)), im); }));
  list.push(gradientCheck('rfft parts x=[2,15]', [2, 15], (x) => tf.concat(rfftParts(x), 1)));
  // general-gradients.ts (and the kernels filled or fixed for other backends, which 'tensorflow' has natively).
  list.push(gradientCheck('StridedSlice gradient x=[4,6]', [4, 6], (x) => tf.stridedSlice(x, [1, 0], [4, 6], [2, 3])));
  list.push(gradientCheck('StridedSlice gradient x=[1,6,6,2] strides [1,2,2,1] (a rank-6 pad)', [1, 6, 6, 2], (x) => tf.stridedSlice(x, [0, 0, 1, 0], [1, 6, 6, 2], [1, 2, 2, 1])));
  list.push(gradientCheck('Cumsum gradient axis 0 x=[5,3]', [5, 3], (x) => tf.cumsum(x, 0)));
  list.push(gradientCheck('Cumsum gradient axis 1 exclusive reverse x=[3,5]', [3, 5], (x) => tf.cumsum(x, 1, true, true)));
  list.push(gradientCheck('TopK values gradient x=[3,6]', [3, 6], (x) => tf.topk(x, 2).values));
  list.push(gradientCheck('comparison (zero gradient) x=[3,4]', [3, 4], (x) => tf.add(tf.cast(tf.greater(x, 0), 'float32'), x)));
  list.push(gradientCheck('gather gradient (UnsortedSegmentSum) x=[5,3]', [5, 3], (x) => tf.gather(x, tf.tensor1d([0, 2, 2, 4], 'int32'))));
  list.push(gradientCheck('oneHot float x=[4]', [4], (x) => tf.mul(tf.oneHot(tf.tensor1d([0, 2, 1, 2], 'int32'), 3), tf.reshape(x, [4, 1]))));
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

async function compare(): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks()) {
    await tf.setBackend('cpu');
    let started = performance.now();
    const reference = check.compute();
    const cpuMs = performance.now() - started;
    await tf.setBackend('tensorflow');
    started = performance.now();
    const actual = check.compute();
    const tensorflowMs = performance.now() - started;
    const backend = tf.getBackend();
    const errors: Record<string, number> = {};
    for (const [name, expected] of Object.entries(reference)) errors[name] = relativeError(actual[name], expected);
    results.push({ name: check.name, errors, backend, tensorflowMs, cpuMs });
  }
  tf.dispose([...constants.values()]);
  constants.clear();
  return results;
}

/** The tiny runs: smoke's budgets on 8x8 images (2-D) and 32-sample sequences (1-D), HP search cut to one trial. */
const TINY: RunConfig = resolveConfig('smoke', { hpSearch: { grid: { lr: [0.1], dropout: [0], weightDecay: [5e-4], momentum: [0.9] } }, retrain: { epochs: 2, milestones: [] } });

async function tinyRun(backend: 'cpu' | 'tensorflow', method: Method, task: 'stripes2d' | 'waves1d'): Promise<RunRecord> {
  await tf.setBackend(backend);
  const data: RunDataset = task === 'stripes2d' ? stripes2d(1) : waves1d(1);
  const events: EngineEvent[] = [];
  const started = performance.now();
  const result = await runMethod(method, TINY, data, 3, { onEvent: (e) => events.push(e), saveCheckpoint: () => undefined });
  const ms = performance.now() - started;
  disposeDataset(data);
  return {
    backend,
    method,
    task,
    searchLosses: events.flatMap((e) => (e.type === 'epoch' && e.phase === 'search' ? [e.trainLoss] : [])),
    alphas: events.flatMap((e) => (e.type === 'alpha' ? [e.layers.flatMap((l) => l.alpha)] : [])),
    lastMargin: Math.min(...(events.findLast((e) => e.type === 'alpha')?.layers ?? []).map((l) => topTwoGap(l.alpha))),
    archId: result.archId,
    metric: result.metric.value,
    ms,
  };
}

function topTwoGap(alpha: readonly number[]): number {
  const [first, second] = [...alpha].sort((a, b) => b - a);
  return second === undefined ? Infinity : first! - second;
}

async function runs(): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  for (const [method, task] of [['dash', 'stripes2d'], ['pdash', 'waves1d']] as const) {
    for (const backend of ['tensorflow', 'cpu'] as const) records.push(await tinyRun(backend, method, task));
  }
  return records;
}

async function main(mode: string): Promise<unknown> {
  let report;
  try {
    report = await setupNodeRuntime({ backend: 'tensorflow', threads: 2 });
  } catch (error) {
    return { available: false, detail: error instanceof Error ? error.message : String(error) } satisfies ProbeAnswer;
  }
  if (mode === 'probe') return { available: true, detail: report.detail } satisfies ProbeAnswer;
  if (mode === 'compare') return compare();
  if (mode === 'runs') return runs();
  throw new Error(`native-backend-child: unknown mode '${mode}' (probe, compare, runs)`);
}

const answer = await main(process.argv[2] ?? 'probe');
process.send!(answer, () => process.exit(0));
