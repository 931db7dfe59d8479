/**
 * Mixture-conv and gradient-fill benchmark. Prints ratios measured in this run; asserts nothing.
 *
 *   node bench/mixture-conv.bench.ts [--backend wasm|cpu] [--threads N] [--batch B] [--repeats R]
 *                                    [--layers FILTER] [--only mixture|fills] [--explain]
 *
 * Part 1 is a thin wrapper over the engine's mixture benchmark (src/worker/engine/bench, also behind
 * `pdash bench mixture`, which runs it on several backends side by side): forward + backward (dx, every weight,
 * alpha, bias) of one mixture layer per method, as a ratio against one-conv-per-pattern, with the cost model's pick,
 * for the reference DASH layers (default --layers ninapro,ecg: WRN-16-1 on the 16x52 NinaPro maps with
 * K={3,5,7,9} x D={1,3,7,15}, the 1-D ECG ResNet at length 1000 with the default 1-D space). --explain adds the
 * measured and estimated ms of each method, which is what mixture-cost.ts's constants are fitted to.
 * Part 2: the conv gradient fills against tfjs's own kernels where both exist.
 */
import * as tf from '@tensorflow/tfjs-core';
import { convolve2d } from '../src/worker/engine/ops/conv-core.ts';
import { convFilterGradient, convInputGradient } from '../src/worker/engine/ops/kernels/conv-gradients.ts';
import { originalKernel, registerTrainingKernels } from '../src/worker/engine/ops/kernels/register.ts';
import { runMixtureBench } from '../src/worker/engine/bench/index.ts';
import { MIXTURE_METHODS } from '../src/shared/engine/index.ts';
import { setupNodeRuntime } from '../src/worker/node-runtime.ts';

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const backendArg = argument('backend') as 'wasm' | 'cpu' | undefined;
const threadsArg = argument('threads');
const report = await setupNodeRuntime({ ...(backendArg ? { backend: backendArg } : {}), ...(threadsArg ? { threads: Number(threadsArg) } : {}) });
const batch = Number(argument('batch') ?? 32);
const repeats = Number(argument('repeats') ?? 5);
console.log(`backend ${report.name}, ${report.threads} thread(s), SIMD ${report.simd}, tfjs ${report.tfjsVersion}; batch ${batch}, median of ${repeats}`);

/**
 * Median wall time in ms of each of several alternatives, after one warm-up call each. The alternatives run
 * round-robin, so that load from other processes affects them alike and the ratios stay meaningful.
 */
function timeEach<K extends string>(runs: Record<K, () => void>): Record<K, number> {
  const names = Object.keys(runs) as K[];
  for (const name of names) runs[name]();
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let i = 0; i < repeats; i++) {
    for (const name of names) {
      const t0 = performance.now();
      runs[name]();
      samples[name].push(performance.now() - t0);
    }
  }
  const median = (v: number[]): number => v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  return Object.fromEntries(names.map((n) => [n, median(samples[n])])) as Record<K, number>;
}

const pad = (s: string, n: number): string => s.padEnd(n);
const num = (v: number, n: number, digits = 2): string => v.toFixed(digits).padStart(n);

const only = argument('only');
if (only !== 'fills') {
  console.log('\nPart 1: mixture conv, forward + backward, time relative to per-pattern (lower is faster; * = fastest)');
  console.log(`${pad('layer', 52)}${pad('per-pattern ms', 16)}${MIXTURE_METHODS.map((m) => pad(m, 18)).join('')}cost model pick`);
  const result = await runMixtureBench({ filter: argument('layers') ?? 'ninapro,ecg', batch, repeats }, () => {});
  for (const layer of result.layers) {
    const ms = (m: string): number => layer.methods.find((t) => t.method === m)?.ms ?? Number.NaN;
    const fastest = MIXTURE_METHODS.reduce((best, m) => (ms(m) < ms(best) ? m : best));
    const cells = MIXTURE_METHODS.map((m) => pad(`${num(ms(m) / ms('per-pattern'), 6)}x${m === fastest ? ' *' : ''}`, 18)).join('');
    console.log(`${pad(layer.name, 52)}${pad(num(ms('per-pattern'), 8, 1), 16)}${cells}${layer.pick}${layer.pick === fastest ? '' : ` (measured best: ${fastest})`}`);
    if (process.argv.includes('--explain')) {
      const measured = MIXTURE_METHODS.map((m) => `${m} ${ms(m).toFixed(0)}`).join(', ');
      const predicted = MIXTURE_METHODS.map((m) => `${m} ${(layer.estimatesMs?.[m] ?? Number.NaN).toFixed(0)}`).join(', ');
      console.log(`    measured ms: ${measured}\n    estimated ms: ${predicted}`);
    }
  }
}

console.log('\nPart 2: conv gradient fills (forward-conv formulation) vs tfjs kernels, same backend');
console.log(`${pad('gradient', 58)}${pad('tfjs kernel ms', 16)}${pad('fill ms', 10)}speedup`);
interface GradCase {
  name: string;
  x: [number, number, number, number];
  filter: [number, number, number, number];
  stride: number;
  depthwise: boolean;
}
const gradCases: GradCase[] = [
  { name: `3x3 16->16 @16x52 b${batch}`, x: [batch, 16, 52, 16], filter: [3, 3, 16, 16], stride: 1, depthwise: false },
  { name: `9x9 16->16 @16x52 b${batch}`, x: [batch, 16, 52, 16], filter: [9, 9, 16, 16], stride: 1, depthwise: false },
  { name: `3x3 16->32 s2 @16x52 b${batch}`, x: [batch, 16, 52, 16], filter: [3, 3, 16, 32], stride: 2, depthwise: false },
  { name: `1-D k11 8->8 @1000 b${batch}`, x: [batch, 1, 1000, 8], filter: [1, 11, 8, 8], stride: 1, depthwise: false },
  { name: `depthwise 9x9 16 @16x52 b${batch}`, x: [batch, 16, 52, 16], filter: [9, 9, 16, 1], stride: 1, depthwise: true },
];
for (const g of only === 'mixture' ? [] : gradCases) {
  const x = tf.randomNormal(g.x, 0, 1, 'float32', 3) as tf.Tensor4D;
  const filter = tf.randomNormal(g.filter, 0, 1, 'float32', 4) as tf.Tensor4D;
  const [kh, kw] = g.filter;
  const ph = Math.floor((kh - 1) / 2);
  const pw = Math.floor((kw - 1) / 2);
  const spec = { strides: [g.stride, g.stride] as [number, number], dilations: [1, 1] as [number, number], pads: [[ph, kh - 1 - ph], [pw, kw - 1 - pw]] as [[number, number], [number, number]], depthwise: g.depthwise };
  const dy = tf.tidy(() => tf.randomNormal(convolve2d(x, filter, spec).shape, 0, 1, 'float32', 5)) as tf.Tensor4D;
  const pad4 = [[0, 0], spec.pads[0], spec.pads[1], [0, 0]];
  const geometry = { strides: spec.strides, dilations: spec.dilations, padTopLeft: [ph, pw] as [number, number], depthwise: g.depthwise };
  const kernels = g.depthwise
    ? [
        ['input', 'DepthwiseConv2dNativeBackpropInput', { dy, filter }, { strides: spec.strides, dilations: [1, 1], pad: pad4, inputShape: g.x }, () => convInputGradient(dy, filter, g.x, geometry)],
        ['filter', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: spec.strides, dilations: [1, 1], pad: pad4, filterShape: g.filter }, () => convFilterGradient(x, dy, g.filter, geometry)],
      ]
    : [
        ['input', 'Conv2DBackpropInput', { dy, filter }, { strides: spec.strides, pad: pad4, dataFormat: 'NHWC', inputShape: g.x }, () => convInputGradient(dy, filter, g.x, geometry)],
        ['filter', 'Conv2DBackpropFilter', { x, dy }, { strides: spec.strides, pad: pad4, dataFormat: 'NHWC', filterShape: g.filter }, () => convFilterGradient(x, dy, g.filter, geometry)],
      ];
  for (const [which, kernelName, inputs, attrs, fill] of kernels as Array<[string, string, tf.NamedTensorMap, object, () => tf.Tensor]>) {
    const label = `${which} grad ${g.name}`;
    const filledHere = registerTrainingKernels().kernels.includes(`${kernelName}@${tf.getBackend()}`);
    // (The tidy callbacks return nothing: tidy walks a returned typed array element by element.)
    const runFill = (): void => tf.tidy(() => void fill().dataSync());
    if (filledHere || tf.getKernel(kernelName, tf.getBackend()) === undefined) {
      const { fill: fillMs } = timeEach({ fill: runFill });
      console.log(`${pad(label, 58)}${pad('(none in tfjs)', 16)}${pad(num(fillMs, 7, 1), 10)}-`);
      continue;
    }
    // tfjs's own kernel, also where the engine replaced it (wasm's Conv2DBackpropInput).
    const replaced = originalKernel(kernelName, tf.getBackend());
    const runKernel = (): void => {
      if (replaced === undefined) return tf.tidy(() => void (tf.engine().runKernel(kernelName, inputs, attrs as tf.NamedAttrMap) as tf.Tensor).dataSync());
      const backend = tf.backend();
      const out = replaced.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend }) as tf.TensorInfo;
      backend.readSync(out.dataId);
      backend.disposeData(out.dataId);
    };
    const t = timeEach({ tfjs: runKernel, fill: runFill });
    console.log(`${pad(label, 58)}${pad(num(t.tfjs, 7, 1), 16)}${pad(num(t.fill, 7, 1), 10)}${num(t.tfjs / t.fill, 5, 1)}x`);
  }
  tf.dispose([x, filter, dy]);
}
