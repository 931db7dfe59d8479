/**
 * The one place where the engine fills tfjs 4.22's gaps for training, through tfjs's public registries.
 * `registerTrainingKernels()` is called by `initBackend` after a backend is chosen (and is idempotent).
 *
 * Gaps found in 4.22 and how each is filled (tfjs-core's ~100 standard gradients are not among them: they exist
 * but tfjs-core's entry point does not register them; see registerTrainingKernels):
 * - Conv2D and DepthwiseConv2dNative gradients reject dilation > 1 (and stride > 1 with dilation > 1):
 *   replaced by gradients that handle any stride/dilation/padding, written as forward convolutions
 *   (conv-gradients.ts). On wasm this is also 5-12x faster than tfjs's own Conv2DBackpropInput loop, on cpu
 *   40-90x faster than its Conv2DBackpropFilter (bench/mixture-conv.bench.ts); where tfjs's kernel is the
 *   faster one (cpu input gradients, everything native) it is kept for dilation 1.
 * - wasm has no Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropInput or ...BackpropFilter kernels (so
 *   tfjs's own gradients of conv2dTranspose and depthwiseConv2d fail there): registered for wasm, built from
 *   the same forward-convolution formulation.
 * - FFT, IFFT, Complex, Real and Imag have no gradients, and tfjs's tape rejects complex gradients outright, so
 *   they cannot be registered: fft-gradients.ts offers rfft/irfft as real-in, real-out ops under tf.customGrad
 *   with FFT backward passes. wasm has no complex dtype at all; the engine's Fourier path (../fourier-conv.ts)
 *   uses real DFT matrices and runs everywhere.
 * - StridedSlice, TopK and the comparison ops have no gradient, Cumsum's is wrong off the last axis, wasm lacks
 *   UnsortedSegmentSum (tf.gather's gradient), and wasm's OneHot (float dtypes) and MaxPoolGrad (windows
 *   without a positive value) compute wrong values: general-gradients.ts.
 * - webgpu's PadV2 writes shader code only for ranks up to 4 (a rank-5 or 6 pad, as StridedSlice's gradient makes
 *   of a strided NHWC slice, fails to compile: "cannot index type 'vec6'"): webgpuPad pads such tensors one padded
 *   axis at a time as rank-3 [outer, axis, inner] views (found by test/unit/worker/browser/webgpu-equivalence.test.ts).
 * - webgpu's AddN binds every input in one shader; tfjs-backend-webgpu asks the device for WebGPU's default of 8
 *   storage buffers per stage, so past 7 inputs the pipeline is invalid, Chromium only logs the validation error and
 *   the output is never written (tf.addN of 20 tensors read 0 on SwiftShader; mixture-conv's per-pattern sum of 20
 *   terms and clipByGlobalNorm's sum of squares are such sums; found by `pdash bench mixture --backend webgpu`):
 *   webgpuAddN adds at most that many at a time.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Pair } from '../conv-core.ts';
import { convFilterGradient, convInputGradient, type ConvGeometry } from './conv-gradients.ts';
import { generalGradients, wasmMaxPoolGrad, wasmOneHotFix, wasmUnsortedSegmentSum } from './general-gradients.ts';

/**
 * Where tfjs's own backprop kernel beats the forward-conv formulation (dilation 1 only: those kernels take no
 * dilation, and cpu's depthwise ones silently ignore it). Measured with bench/mixture-conv.bench.ts: on cpu the
 * input-gradient kernels are 2-5x faster than a forward conv, while cpu's Conv2DBackpropFilter is 40-90x slower
 * than the swapped-axes forward conv; on wasm the forward formulation wins both (the input kernel is a plain
 * loop, 5-12x slower; the filter kernels do not exist). The native TensorFlow kernels are kept for both.
 */
const NATIVE_INPUT_GRADIENT = new Set(['tensorflow', 'cpu']);
const NATIVE_FILTER_GRADIENT = new Set(['tensorflow']);

type Shape4 = [number, number, number, number];

interface ConvAttrs {
  strides: number | Pair;
  dilations?: number | Pair;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function geometryOf(xShape: Shape4, filterShape: Shape4, attrs: ConvAttrs, depthwise: boolean, op: string): ConvGeometry {
  if (attrs.dataFormat === 'NCHW') {
    throw new Error(`${op} gradient: only NHWC is supported (the engine runs channels-last everywhere), got NCHW`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
  return {
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    padTopLeft: [info.padInfo.top, info.padInfo.left],
    depthwise,
  };
}

function dilationIsOne(geometry: ConvGeometry): boolean {
  return geometry.dilations[0] === 1 && geometry.dilations[1] === 1;
}

const conv2dGradient: tf.GradConfig = {
  kernelName: 'Conv2D',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const a = attrs as unknown as ConvAttrs;
    const geometry = geometryOf(x.shape, filter.shape, a, false, 'Conv2D');
    const g = dy as tf.Tensor4D;
    const native = (names: Set<string>): boolean => names.has(tf.getBackend()) && dilationIsOne(geometry);
    const kernelAttrs = (extra: object): tf.NamedAttrMap => ({ ...a, ...extra }) as unknown as tf.NamedAttrMap;
    return {
      x: () =>
        native(NATIVE_INPUT_GRADIENT)
          ? (tf.engine().runKernel('Conv2DBackpropInput', { dy: g, filter }, kernelAttrs({ inputShape: x.shape })) as tf.Tensor)
          : convInputGradient(g, filter, x.shape, geometry),
      filter: () =>
        native(NATIVE_FILTER_GRADIENT)
          ? (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: g }, kernelAttrs({ filterShape: filter.shape })) as tf.Tensor)
          : convFilterGradient(x, g, filter.shape, geometry),
    };
  },
};

const depthwiseConv2dGradient: tf.GradConfig = {
  kernelName: 'DepthwiseConv2dNative',
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const a = attrs as unknown as ConvAttrs;
    const geometry = geometryOf(x.shape, filter.shape, a, true, 'DepthwiseConv2dNative');
    const g = dy as tf.Tensor4D;
    const native = (names: Set<string>): boolean => names.has(tf.getBackend()) && dilationIsOne(geometry);
    const kernelAttrs = (extra: object): tf.NamedAttrMap => ({ ...a, dilations: [1, 1], ...extra }) as unknown as tf.NamedAttrMap;
    return {
      x: () =>
        native(NATIVE_INPUT_GRADIENT)
          ? (tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: g, filter }, kernelAttrs({ inputShape: x.shape })) as tf.Tensor)
          : convInputGradient(g, filter, x.shape, geometry),
      filter: () =>
        native(NATIVE_FILTER_GRADIENT)
          ? (tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: g }, kernelAttrs({ filterShape: filter.shape })) as tf.Tensor)
          : convFilterGradient(x, g, filter.shape, geometry),
    };
  },
};

/**
 * wasm kernels missing in 4.22, computed with forward convolutions on the wasm backend itself; plus
 * Conv2DBackpropInput (conv2dTranspose's forward), which exists but is a plain loop 5-12x slower.
 */
function wasmBackpropKernels(): tf.KernelConfig[] {
  const conv2dBackpropFilter: tf.KernelConfig = {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
      const a = attrs as unknown as ConvAttrs & { filterShape: Shape4 };
      const geometry = geometryOf(x.shape, a.filterShape, a, false, 'Conv2DBackpropFilter');
      return convFilterGradient(x, dy, a.filterShape, geometry) as unknown as tf.TensorInfo;
    },
  };
  const conv2dBackpropInput: tf.KernelConfig = {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const { dy, filter } = inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
      const a = attrs as unknown as ConvAttrs & { inputShape: Shape4 };
      const geometry = geometryOf(a.inputShape, filter.shape, a, false, 'Conv2DBackpropInput');
      return convInputGradient(dy, filter, a.inputShape, geometry) as unknown as tf.TensorInfo;
    },
  };
  const depthwiseBackpropInput: tf.KernelConfig = {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const { dy, filter } = inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
      const a = attrs as unknown as ConvAttrs & { inputShape: Shape4 };
      const geometry = geometryOf(a.inputShape, filter.shape, a, true, 'DepthwiseConv2dNativeBackpropInput');
      return convInputGradient(dy, filter, a.inputShape, geometry) as unknown as tf.TensorInfo;
    },
  };
  const depthwiseBackpropFilter: tf.KernelConfig = {
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
      const a = attrs as unknown as ConvAttrs & { filterShape: Shape4 };
      const geometry = geometryOf(x.shape, a.filterShape, a, true, 'DepthwiseConv2dNativeBackpropFilter');
      return convFilterGradient(x, dy, a.filterShape, geometry) as unknown as tf.TensorInfo;
    },
  };
  return [conv2dBackpropFilter, conv2dBackpropInput, depthwiseBackpropInput, depthwiseBackpropFilter, wasmUnsortedSegmentSum];
}

interface PadAttrs {
  paddings: Array<[number, number]>;
  constantValue: number;
}

/** See the module comment: tfjs-backend-webgpu's own PadV2 below rank 5, axis by axis above. */
function webgpuPad(original: tf.KernelConfig): tf.KernelConfig {
  return {
    ...original,
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.Tensor;
      const { paddings, constantValue } = args.attrs as unknown as PadAttrs;
      if (x.rank <= 4) return original.kernelFunc(args);
      return tf.tidy(() => {
        let y = x;
        const shape = [...x.shape];
        paddings.forEach(([before, after], axis) => {
          if (before === 0 && after === 0) return;
          const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
          const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
          const view = tf.reshape(y, [outer, shape[axis]!, inner]);
          shape[axis] = before + shape[axis]! + after;
          y = tf.reshape(tf.pad(view, [[0, 0], [before, after], [0, 0]], constantValue), shape);
        });
        return y === x ? tf.clone(x) : y;
      }) as unknown as tf.TensorInfo;
    },
  };
}

interface WebgpuLimits {
  device?: { limits?: { maxStorageBuffersPerShaderStage?: number } };
}

/** See the module comment: tfjs-backend-webgpu's own AddN up to the inputs one shader can bind, in groups above. */
function webgpuAddN(original: tf.KernelConfig): tf.KernelConfig {
  return {
    ...original,
    kernelFunc: (args) => {
      const inputs = args.inputs as unknown as tf.Tensor[];
      // One storage buffer is the output's.
      const limit = ((args.backend as unknown as WebgpuLimits).device?.limits?.maxStorageBuffersPerShaderStage ?? 8) - 1;
      if (inputs.length <= limit) return original.kernelFunc(args);
      return tf.tidy(() => {
        let terms = inputs;
        while (terms.length > limit) {
          const groups: tf.Tensor[] = [];
          for (let i = 0; i < terms.length; i += limit) {
            const group = terms.slice(i, i + limit);
            groups.push(group.length === 1 ? group[0]! : tf.addN(group));
          }
          terms = groups;
        }
        return tf.addN(terms);
      }) as unknown as tf.TensorInfo;
    },
  };
}

/** What `registerTrainingKernels` registered, for the backend report and the tests. */
export interface TrainingKernelFills {
  gradients: string[];
  /** Kernels added where the backend had none. */
  kernels: string[];
  /** Kernels replaced because they compute wrong values. */
  replaced: string[];
}

const addedKernels: string[] = [];
const replacedKernels: string[] = [];
const originals = new Map<string, tf.KernelConfig>();

/** tfjs's own config of a kernel this module replaced (for benchmarks and comparisons), if any. */
export function originalKernel(kernelName: string, backendName: string): tf.KernelConfig | undefined {
  return originals.get(`${kernelName}@${backendName}`);
}

/** Kernels of 4.22 that exist but compute wrong results (or, for Conv2DBackpropInput, are very slow); replaced once. */
function replaceBrokenKernels(): void {
  const fixes: Array<[string, string, (original: tf.KernelConfig) => tf.KernelConfig]> = [
    ['OneHot', 'wasm', wasmOneHotFix],
    ['MaxPoolGrad', 'wasm', () => wasmMaxPoolGrad],
    ['Conv2DBackpropInput', 'wasm', () => wasmBackpropKernels().find((k) => k.kernelName === 'Conv2DBackpropInput')!],
    ['PadV2', 'webgpu', webgpuPad],
    ['AddN', 'webgpu', webgpuAddN],
  ];
  for (const [kernelName, backendName, fix] of fixes) {
    const key = `${kernelName}@${backendName}`;
    const original = tf.getKernel(kernelName, backendName);
    if (original === undefined || replacedKernels.includes(key)) continue;
    originals.set(key, original);
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel(fix(original));
    replacedKernels.push(key);
  }
}

/**
 * Registers the gradient and kernel fills. Needs tfjs-core's own gradients registered first (tfjs-core does not
 * register them by itself: bundlers import '@tensorflow/tfjs-core/dist/register_all_gradients', Node hosts call
 * loadCoreGradients() from src/worker/node-runtime.ts), because they would otherwise replace these. Kernels are
 * only added where the backend lacks them. Safe to call again: the gradients are re-registered, so they win
 * over a later import of tfjs's defaults.
 */
export function registerTrainingKernels(): TrainingKernelFills {
  if (tf.getGradient('Sum') === undefined) {
    throw new Error(
      "tfjs-core's gradients are not registered, so nothing can be trained: import " +
        "'@tensorflow/tfjs-core/dist/register_all_gradients' (bundled builds) or await loadCoreGradients() from " +
        'src/worker/node-runtime.ts (Node) before initialising the backend',
    );
  }
  const gradients = [conv2dGradient, depthwiseConv2dGradient, ...generalGradients];
  for (const config of gradients) tf.registerGradient(config);
  for (const config of wasmBackpropKernels()) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) {
      tf.registerKernel(config);
      addedKernels.push(`${config.kernelName}@${config.backendName}`);
    }
  }
  replaceBrokenKernels();
  return { gradients: gradients.map((g) => g.kernelName), kernels: [...addedKernels], replaced: [...replacedKernels] };
}
