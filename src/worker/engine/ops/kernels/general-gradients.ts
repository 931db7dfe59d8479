/**
 * Gradient and kernel fills for ops outside convolution that tfjs 4.22 cannot differentiate, found by running
 * forward + backward of the ops a training loop uses on cpu and wasm (test/unit/.../general-gradients.test.ts):
 *
 * - StridedSlice has no gradient: scatter dy back with zero insertion (stride) and padding (begin/end).
 * - Cumsum's gradient transposes its result for any axis but the last, giving the wrong shape: replaced by the
 *   plain identity grad(cumsum(x, axis, exclusive, reverse)) = cumsum(dy, axis, exclusive, !reverse).
 * - TopK has no gradient: dy scattered onto the chosen indices.
 * - Greater, Less, LessEqual, Equal, NotEqual, LogicalAnd/Or/Not have no gradient, so a mask built from x
 *   (tf.where(tf.greater(x, 0), ...)) breaks backprop through x: their gradient is zero, as in TensorFlow.
 * - wasm has no UnsortedSegmentSum kernel, which tf.gather's gradient needs: oneHot(ids)^T @ x.
 * - wasm's OneHot writes int32 data whatever dtype is asked (and truncates on/off values), so a float32
 *   one-hot reads back as denormal garbage: replaced by int32 one-hot, cast, scaled.
 * - wasm's MaxPoolGrad starts its running maximum at numeric_limits<float>::min() (the smallest *positive*
 *   float), so a window with no positive value sends its gradient to the window's first element: replaced by
 *   a JS loop (the op is cheap next to the convolutions).
 */
import * as tf from '@tensorflow/tfjs-core';

interface StridedSliceAttrs {
  begin: number[];
  end: number[];
  strides: number[];
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
}

const stridedSliceGradient: tf.GradConfig = {
  kernelName: 'StridedSlice',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const a = attrs as unknown as StridedSliceAttrs;
    return {
      x: () => {
        const info = tf.slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
        const lengths = x.shape.map((_, i) => {
          const s = info.strides[i]!;
          const span = s > 0 ? info.end[i]! - info.begin[i]! : info.begin[i]! - info.end[i]!;
          return Math.max(0, Math.ceil(span / Math.abs(s)));
        });
        let g = tf.reshape(dy as tf.Tensor, lengths);
        for (let axis = 0; axis < x.rank; axis++) {
          const n = lengths[axis]!;
          const s = info.strides[axis]!;
          const step = Math.abs(s);
          // Positions begin, begin + s, ...; for s < 0 reverse so that they ascend from the last one.
          let first = info.begin[axis]!;
          if (s < 0 && n > 0) {
            g = tf.reverse(g, axis);
            first = info.begin[axis]! - (n - 1) * step;
          }
          if (n > 0 && step > 1) g = spreadAxis(g, axis, step, n);
          const covered = n > 0 ? (n - 1) * step + 1 : 0;
          const pads = x.shape.map((): [number, number] => [0, 0]);
          pads[axis] = n > 0 ? [first, x.shape[axis]! - first - covered] : [0, x.shape[axis]!];
          if (pads[axis]![0] !== 0 || pads[axis]![1] !== 0) g = tf.pad(g, pads);
        }
        return g;
      },
    };
  },
};

/** Inserts step-1 zeros between the n entries along one axis (length becomes (n-1)*step+1). */
function spreadAxis(t: tf.Tensor, axis: number, step: number, n: number): tf.Tensor {
  const outer = t.shape.slice(0, axis + 1);
  const inner = t.shape.slice(axis + 1);
  const expanded = tf.reshape(t, [...outer, 1, ...inner]);
  const pads = expanded.shape.map((): [number, number] => [0, 0]);
  pads[axis + 1] = [0, step - 1];
  const spread = tf.reshape(tf.pad(expanded, pads), [...t.shape.slice(0, axis), n * step, ...inner]);
  const size = spread.shape.slice();
  size[axis] = (n - 1) * step + 1;
  return tf.slice(spread, spread.shape.map(() => 0), size);
}

const cumsumGradient: tf.GradConfig = {
  kernelName: 'Cumsum',
  gradFunc: (dy, _saved, attrs) => {
    const { axis, exclusive, reverse } = attrs as unknown as { axis: number; exclusive: boolean; reverse: boolean };
    return { x: () => tf.cumsum(dy as tf.Tensor, axis, exclusive, !reverse) };
  },
};

const topkGradient: tf.GradConfig = {
  kernelName: 'TopK',
  inputsToSave: ['x'],
  outputsToSave: [false, true],
  gradFunc: (dy, saved) => {
    const [x, indices] = saved as [tf.Tensor, tf.Tensor];
    const values = (Array.isArray(dy) ? dy[0] : dy) as tf.Tensor;
    const n = x.shape[x.rank - 1]!;
    return {
      x: () => tf.sum(tf.mul(tf.oneHot(tf.cast(indices, 'int32'), n), tf.expandDims(values, -1)), -2),
    };
  },
};

/** Zero gradient (as float32: tfjs's tape accepts no other gradient dtype, even for bool inputs). */
function zeroGradient(kernelName: string, inputs: string[]): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: inputs,
    gradFunc: (_dy, saved) => Object.fromEntries(inputs.map((name, i) => [name, () => tf.zeros(saved[i]!.shape)])),
  };
}

export const generalGradients: tf.GradConfig[] = [
  stridedSliceGradient,
  cumsumGradient,
  topkGradient,
  zeroGradient('Greater', ['a', 'b']),
  zeroGradient('Less', ['a', 'b']),
  zeroGradient('LessEqual', ['a', 'b']),
  zeroGradient('Equal', ['a', 'b']),
  zeroGradient('NotEqual', ['a', 'b']),
  zeroGradient('LogicalAnd', ['a', 'b']),
  zeroGradient('LogicalOr', ['a', 'b']),
  zeroGradient('LogicalNot', ['x']),
];

/** unsortedSegmentSum(x, ids, n) = oneHot(ids, n)^T @ x, ids flattened over their (leading) axes. */
export const wasmUnsortedSegmentSum: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { x, segmentIds } = inputs as { x: tf.Tensor; segmentIds: tf.Tensor };
    const { numSegments } = attrs as unknown as { numSegments: number };
    return tf.tidy(() => {
      const rows = segmentIds.size;
      const rest = x.shape.slice(segmentIds.rank);
      const flat = tf.reshape(x, [rows, rest.reduce((p, v) => p * v, 1)]);
      const onehot = tf.oneHot(tf.reshape(tf.cast(segmentIds, 'int32'), [rows]), numSegments, 1, 0, x.dtype === 'int32' ? 'int32' : 'float32');
      const summed = x.dtype === 'int32' ? tf.cast(tf.matMul(tf.cast(onehot, 'float32'), tf.cast(flat, 'float32'), true, false), 'int32') : tf.matMul(onehot, flat, true, false);
      return tf.reshape(summed, [numSegments, ...rest]);
    }) as unknown as tf.TensorInfo;
  },
};

/** Wraps wasm's OneHot: exact for int32; other dtypes as cast(int32 one-hot) scaled to the on/off values. */
export function wasmOneHotFix(original: tf.KernelConfig): tf.KernelConfig {
  return {
    ...original,
    kernelFunc: (args) => {
      const { indices } = args.inputs as { indices: tf.Tensor };
      const { dtype, depth, onValue, offValue } = args.attrs as unknown as { dtype: tf.DataType; depth: number; onValue: number; offValue: number };
      if (dtype === 'int32' && Number.isInteger(onValue) && Number.isInteger(offValue)) return original.kernelFunc(args);
      return tf.tidy(() => {
        const mask = tf.cast(tf.oneHot(indices, depth, 1, 0, 'int32'), 'float32');
        const values = tf.add(tf.mul(mask, onValue - offValue), offValue);
        return dtype === 'float32' ? values : tf.cast(values, dtype);
      }) as unknown as tf.TensorInfo;
    },
  };
}

/** MaxPoolGrad for wasm: dy goes to the first maximum of each window (as the cpu backend does). */
export const wasmMaxPoolGrad: tf.KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs }) => {
    const { dy, input } = inputs as { dy: tf.Tensor4D; input: tf.Tensor4D };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as {
      filterSize: number | [number, number];
      strides: number | [number, number];
      pad: 'valid' | 'same' | number;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const info = tf.backend_util.computePool2DInfo(input.shape, filterSize, strides, 1, pad, dimRoundingMode);
    const x = input.dataSync();
    const g = dy.dataSync();
    const dx = new Float32Array(x.length);
    const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
    const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, dilationHeight: dh, dilationWidth: dw } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    for (let n = 0; n < batchSize; n++) {
      for (let i = 0; i < outHeight; i++) {
        for (let j = 0; j < outWidth; j++) {
          for (let c = 0; c < channels; c++) {
            let best = -Infinity;
            let at = -1;
            for (let a = 0; a < fh; a += dh) {
              const r = i * strideHeight - top + a;
              if (r < 0 || r >= inHeight) continue;
              for (let b = 0; b < fw; b += dw) {
                const q = j * strideWidth - left + b;
                if (q < 0 || q >= inWidth) continue;
                const index = ((n * inHeight + r) * inWidth + q) * channels + c;
                if (x[index]! > best) {
                  best = x[index]!;
                  at = index;
                }
              }
            }
            if (at >= 0) dx[at]! += g[((n * outHeight + i) * outWidth + j) * channels + c]!;
          }
        }
      }
    }
    return tf.tensor4d(dx, input.shape) as unknown as tf.TensorInfo;
  },
};
