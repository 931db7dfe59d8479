/**
 * Correlation with a (large) kernel in the Fourier domain, forward and backward, under tf.customGrad:
 *
 *   y[n, i, j, co] = sum_{a, b, ci} x[n, i + oh + a, j + ow + b, ci] * K[a, b, ci, co],  i < H, j < W
 *
 * (zero outside x; (oh, ow) is the offset of K's first tap, negative for a centred kernel). With x zero-extended
 * to a circle of length L >= max(S, n - o, n + o + S - 1) per axis nothing wraps onto the kept outputs, so with
 * X, Kf, E the DFTs of x, the circularly placed kernel and dy:
 *   forward  Y = X . conj(Kf)        (correlation; summed over ci for a dense layer)
 *   dx       = IDFT(E . Kf)          (convolution; summed over co)
 *   dK[a, b] = IDFT(conj(E) . X)[oh + a, ow + b]   (summed over the batch)
 * and every transform is evaluated only at the positions that are needed (n inputs in, n or S outputs out).
 *
 * Transforms: a real DFT along W (half spectrum, floor(Lw/2)+1 bins) then a complex DFT along H, each one
 * matrix product with a precomputed cos/sin matrix, real and imaginary parts side by side. tfjs has FFT kernels
 * only on backends with a complex dtype (not wasm), and for these lengths (L < 2n + S <= ~3n) a DFT as a GEMM
 * runs at matmul speed; O(L^2) per axis instead of O(L log L) is the price.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Pair } from './conv-core.ts';

/** Circle length per axis for input length n, kernel size s, first kernel offset o. */
export function circleLength(n: number, size: number, offset: number): number {
  return Math.max(size, n - offset, n + offset + size - 1);
}

const matrixCache = new Map<string, Float32Array>();

function cached(key: string, build: () => Float32Array): Float32Array {
  let m = matrixCache.get(key);
  if (m === undefined) {
    m = build();
    matrixCache.set(key, m);
  }
  return m;
}

function halfBins(length: number): number {
  return Math.floor(length / 2) + 1;
}

/** [n, 2F]: real DFT of length L evaluated from positions first..first+n-1; columns [re | im]. */
function realDftMatrix(length: number, first: number, n: number): tf.Tensor2D {
  const f = halfBins(length);
  const data = cached(`rdft:${length}:${first}:${n}`, () => {
    const m = new Float32Array(n * 2 * f);
    for (let t = 0; t < n; t++) {
      for (let k = 0; k < f; k++) {
        const theta = (2 * Math.PI * (((k * (first + t)) % length) + length)) / length;
        m[t * 2 * f + k] = Math.cos(theta);
        m[t * 2 * f + f + k] = -Math.sin(theta);
      }
    }
    return m;
  });
  return tf.tensor2d(data, [n, 2 * f]);
}

/** [2F, n]: inverse of the half spectrum (Hermitian weights) at positions first..first+n-1. */
function inverseRealDftMatrix(length: number, first: number, n: number): tf.Tensor2D {
  const f = halfBins(length);
  const data = cached(`irdft:${length}:${first}:${n}`, () => {
    const m = new Float32Array(2 * f * n);
    for (let k = 0; k < f; k++) {
      const weight = k === 0 || 2 * k === length ? 1 : 2;
      for (let t = 0; t < n; t++) {
        const theta = (2 * Math.PI * (((k * (first + t)) % length) + length)) / length;
        m[k * n + t] = (weight * Math.cos(theta)) / length;
        m[(f + k) * n + t] = (-weight * Math.sin(theta)) / length;
      }
    }
    return m;
  });
  return tf.tensor2d(data, [2 * f, n]);
}

/** [2n, 2L]: complex DFT of length L from positions first..first+n-1; rows [re; im], columns [re | im]. */
function complexDftMatrix(length: number, first: number, n: number): tf.Tensor2D {
  const data = cached(`cdft:${length}:${first}:${n}`, () => {
    const m = new Float32Array(2 * n * 2 * length);
    const cols = 2 * length;
    for (let t = 0; t < n; t++) {
      for (let k = 0; k < length; k++) {
        const theta = (2 * Math.PI * (((k * (first + t)) % length) + length)) / length;
        const c = Math.cos(theta);
        const s = Math.sin(theta);
        m[t * cols + k] = c; // re <- re
        m[t * cols + length + k] = -s; // im <- re
        m[(n + t) * cols + k] = s; // re <- im
        m[(n + t) * cols + length + k] = c; // im <- im
      }
    }
    return m;
  });
  return tf.tensor2d(data, [2 * n, 2 * length]);
}

/** [2L, 2n]: inverse complex DFT (1/L) evaluated at positions first..first+n-1. */
function inverseComplexDftMatrix(length: number, first: number, n: number): tf.Tensor2D {
  const data = cached(`icdft:${length}:${first}:${n}`, () => {
    const m = new Float32Array(2 * length * 2 * n);
    const cols = 2 * n;
    for (let k = 0; k < length; k++) {
      for (let t = 0; t < n; t++) {
        const theta = (2 * Math.PI * (((k * (first + t)) % length) + length)) / length;
        const c = Math.cos(theta) / length;
        const s = Math.sin(theta) / length;
        m[k * cols + t] = c;
        m[k * cols + n + t] = s;
        m[(length + k) * cols + t] = -s;
        m[(length + k) * cols + n + t] = c;
      }
    }
    return m;
  });
  return tf.tensor2d(data, [2 * length, 2 * n]);
}

/** Circle lengths and which axes need a transform. */
interface Grid {
  lengths: Pair;
}

/** [B, nh, nw] real signals starting at positions `first` -> spectra [B, Fw, 2, Lh]. */
function forward(signals: tf.Tensor3D, first: Pair, grid: Grid): tf.Tensor4D {
  const [b, nh, nw] = signals.shape;
  const [lh, lw] = grid.lengths;
  const fw = halfBins(lw);
  const alongW = tf.reshape(tf.matMul(tf.reshape(signals, [b * nh, nw]), realDftMatrix(lw, first[1], nw)), [b, nh, 2, fw]);
  const byBin = tf.transpose(alongW, [0, 3, 2, 1]) as tf.Tensor4D; // [B, Fw, 2, nh]
  if (lh === 1 && nh === 1 && first[0] === 0) return byBin;
  const alongH = tf.matMul(tf.reshape(byBin, [b * fw, 2 * nh]), complexDftMatrix(lh, first[0], nh));
  return tf.reshape(alongH, [b, fw, 2, lh]);
}

/** Spectra [B, Fw, 2, Lh] -> real signals [B, mh, mw] at positions first.. */
function inverse(spectra: tf.Tensor4D, first: Pair, size: Pair, grid: Grid): tf.Tensor3D {
  const [b, fw, , lh] = spectra.shape;
  const [mh, mw] = size;
  let rows: tf.Tensor4D = spectra;
  if (!(lh === 1 && mh === 1 && first[0] === 0)) {
    const alongH = tf.matMul(tf.reshape(spectra, [b * fw, 2 * lh]), inverseComplexDftMatrix(lh, first[0], mh));
    rows = tf.reshape(alongH, [b, fw, 2, mh]);
  }
  const byRow = tf.transpose(rows, [0, 3, 2, 1]); // [B, mh, 2, Fw]
  const out = tf.matMul(tf.reshape(byRow, [b * mh, 2 * fw]), inverseRealDftMatrix(grid.lengths[1], first[1], mw));
  return tf.reshape(out, [b, mh, mw]);
}

/** [N, H, W, C] -> [N*C, H, W] and back. */
function toSignals(t: tf.Tensor4D): tf.Tensor3D {
  const [n, h, w, c] = t.shape;
  return tf.reshape(tf.transpose(t, [0, 3, 1, 2]), [n * c, h, w]);
}

function fromSignals(s: tf.Tensor3D, n: number, c: number): tf.Tensor4D {
  const [, h, w] = s.shape;
  return tf.transpose(tf.reshape(s, [n, c, h, w]), [0, 2, 3, 1]);
}

/** Spectra [N*C, Fw, 2, Lh] -> [F, N, 2C] (frequency-major, real and imaginary parts side by side). */
function byFrequency(spectra: tf.Tensor4D, n: number, c: number): tf.Tensor3D {
  const [, fw, , lh] = spectra.shape;
  return tf.reshape(tf.transpose(tf.reshape(spectra, [n, c, fw, 2, lh]), [2, 4, 0, 3, 1]), [fw * lh, n, 2 * c]);
}

function fromFrequency(t: tf.Tensor3D, n: number, c: number, fw: number, lh: number): tf.Tensor4D {
  return tf.reshape(tf.transpose(tf.reshape(t, [fw, lh, n, 2, c]), [2, 4, 0, 3, 1]), [n * c, fw, 2, lh]);
}

/**
 * See the module comment. x [N, H, W, Cin]; kernel [Sh, Sw, Cin, Cout] (dense) or [Sh, Sw, C, 1] (depthwise);
 * offsets = [oh, ow] of kernel tap (0, 0). Returns [N, H, W, Cout] (stride 1).
 */
export function fourierCorrelation(x: tf.Tensor4D, kernel: tf.Tensor4D, offsets: Pair, depthwise: boolean): tf.Tensor4D {
  const [n, h, w, cin] = x.shape;
  const [sh, sw, kin, kout] = kernel.shape;
  if (kin !== cin) throw new Error(`fourierCorrelation: kernel has ${kin} input channels, x has ${cin}`);
  if (depthwise && kout !== 1) throw new Error(`fourierCorrelation: depthwise needs channel multiplier 1, got ${kout}`);
  const cout = depthwise ? cin : kout;
  const grid: Grid = { lengths: [circleLength(h, sh, offsets[0]), circleLength(w, sw, offsets[1])] };
  const fw = halfBins(grid.lengths[1]);
  const lh = grid.lengths[0];
  const zero: Pair = [0, 0];

  const kernelSpectra = (k: tf.Tensor4D): tf.Tensor4D =>
    // [Sh, Sw, A, B] -> signals [A*B, Sh, Sw] placed at the kernel offsets.
    forward(tf.reshape(tf.transpose(k, [2, 3, 0, 1]), [kin * kout, sh, sw]), offsets, grid);

  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, filter, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    const xSpectra = forward(toSignals(input), zero, grid); // [N*Cin, Fw, 2, Lh]
    const kSpectra = kernelSpectra(filter); // [Cin*Cout or C, Fw, 2, Lh]
    let ySpectra: tf.Tensor4D;
    if (depthwise) {
      const xs = tf.reshape(xSpectra, [n, cin, fw, 2, lh]);
      const ks = tf.reshape(kSpectra, [1, cin, fw, 2, lh]);
      ySpectra = tf.reshape(complexProduct(xs as tf.Tensor5D, ks as tf.Tensor5D, true), [n * cin, fw, 2, lh]);
      save([xs, ks]);
    } else {
      const xf = byFrequency(xSpectra, n, cin); // [F, N, 2Cin]
      const block = spectralBlock(kSpectra, cin, cout, fw, lh); // [F, 2Cin, 2Cout]
      ySpectra = fromFrequency(tf.matMul(xf, block), n, cout, fw, lh);
      save([xf, block]);
    }
    const value = fromSignals(inverse(ySpectra, zero, [h, w], grid), n, cout);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
      const e = forward(toSignals(dy as tf.Tensor4D), zero, grid); // [N*Cout, Fw, 2, Lh]
      let dxSpectra: tf.Tensor4D;
      let dkSpectra: tf.Tensor4D;
      if (depthwise) {
        const [xs, ks] = saved as [tf.Tensor5D, tf.Tensor5D];
        const es = tf.reshape(e, [n, cin, fw, 2, lh]) as tf.Tensor5D;
        dxSpectra = tf.reshape(complexProduct(es, ks, false), [n * cin, fw, 2, lh]);
        dkSpectra = tf.reshape(tf.sum(complexProduct(xs, es, true), 0), [cin, fw, 2, lh]);
      } else {
        const [xf, block] = saved as [tf.Tensor3D, tf.Tensor3D];
        const ef = byFrequency(e, n, cout); // [F, N, 2Cout]
        dxSpectra = fromFrequency(tf.matMul(ef, block, false, true), n, cin, fw, lh);
        dkSpectra = blockGradientToSpectra(tf.matMul(xf, ef, true, false), cin, cout, fw, lh);
      }
      const dx = fromSignals(inverse(dxSpectra, zero, [h, w], grid), n, cin);
      const dkSignals = inverse(dkSpectra, offsets, [sh, sw], grid); // [A*B, Sh, Sw]
      const dk = tf.transpose(tf.reshape(dkSignals, [kin, kout, sh, sw]), [2, 3, 0, 1]);
      return [dx, dk];
    };
    return { value, gradFunc };
  });
  return op(x, kernel) as tf.Tensor4D;
}

/** a . conj(b) when `conjugateB`, else a . b; complex parts on axis 3 of [.., .., .., 2, ..] tensors. */
function complexProduct(a: tf.Tensor5D, b: tf.Tensor5D, conjugateB: boolean): tf.Tensor5D {
  const [ar, ai] = tf.split(a, 2, 3);
  const [br, bi] = tf.split(b, 2, 3);
  if (conjugateB) {
    return tf.concat([tf.add(tf.mul(ar!, br!), tf.mul(ai!, bi!)), tf.sub(tf.mul(ai!, br!), tf.mul(ar!, bi!))], 3);
  }
  return tf.concat([tf.sub(tf.mul(ar!, br!), tf.mul(ai!, bi!)), tf.add(tf.mul(ar!, bi!), tf.mul(ai!, br!))], 3);
}

/**
 * Kernel spectra [Cin*Cout, Fw, 2, Lh] -> per-frequency real block [[Kr, -Ki], [Ki, Kr]] of shape
 * [F, 2Cin, 2Cout], so that [Xr | Xi] @ block = [Re, Im] of sum_ci X . conj(K), and [Er | Ei] @ block^T is
 * sum_co E . K (the adjoint, used for dx).
 */
function spectralBlock(kSpectra: tf.Tensor4D, cin: number, cout: number, fw: number, lh: number): tf.Tensor3D {
  const parts = tf.reshape(tf.transpose(tf.reshape(kSpectra, [cin, cout, fw, 2, lh]), [2, 4, 3, 0, 1]), [fw * lh, 2, cin, cout]);
  const [kr, ki] = tf.split(parts, 2, 1).map((t) => tf.reshape(t, [fw * lh, cin, cout]));
  const top = tf.concat([kr!, tf.neg(ki!)], 2);
  const bottom = tf.concat([ki!, kr!], 2);
  return tf.concat([top, bottom], 1) as tf.Tensor3D;
}

/** G = X^T E blocks [[Xr'Er, Xr'Ei], [Xi'Er, Xi'Ei]] -> spectra of conj(E) . X: re = G00 + G11, im = G10 - G01. */
function blockGradientToSpectra(g: tf.Tensor3D, cin: number, cout: number, fw: number, lh: number): tf.Tensor4D {
  const f = fw * lh;
  const quad = tf.reshape(g, [f, 2, cin, 2, cout]);
  const pick = (i: number, j: number): tf.Tensor => tf.reshape(tf.slice(quad, [0, i, 0, j, 0], [f, 1, cin, 1, cout]), [f, cin, cout]);
  const re = tf.add(pick(0, 0), pick(1, 1));
  const im = tf.sub(pick(1, 0), pick(0, 1));
  const spectra = tf.stack([re, im], 1); // [F, 2, Cin, Cout]
  return tf.reshape(tf.transpose(tf.reshape(spectra, [fw, lh, 2, cin, cout]), [3, 4, 0, 2, 1]), [cin * cout, fw, 2, lh]);
}
