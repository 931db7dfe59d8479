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
 * Transforms: a DFT along H (real in, all Lh bins) then along W (half spectrum, floor(Lw/2)+1 bins, the real
 * input's Hermitian symmetry), each a plain 2-D matrix product with a precomputed cos/sin matrix; real and
 * imaginary parts are separate float32 tensors. tfjs has FFT kernels only on backends with a complex dtype (not
 * wasm), and for these lengths (L < 2n + S <= ~3n) a DFT as a GEMM runs at matmul speed; O(L^2) per axis
 * instead of O(L log L) is the price. Layout is chosen so that every product is one 2-D GEMM (a transpose
 * between the two axes is far cheaper on wasm than a broadcast batched matmul).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Pair } from './conv-core.ts';

/** Circle length per axis for input length n, kernel size s, first kernel offset o. */
export function circleLength(n: number, size: number, offset: number): number {
  return Math.max(size, n - offset, n + offset + size - 1);
}

const matrixCache = new Map<string, Float32Array>();

/** A cached [rows, cols] matrix whose entry (r, c) is value(r, c). */
function matrix(key: string, rows: number, cols: number, value: (r: number, c: number) => number): tf.Tensor2D {
  let data = matrixCache.get(key);
  if (data === undefined) {
    data = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = value(r, c);
    matrixCache.set(key, data);
  }
  return tf.tensor2d(data, [rows, cols]);
}

/** Angle 2 pi k p / L, with k p reduced mod L first for accuracy. */
function angle(k: number, p: number, length: number): number {
  return (2 * Math.PI * ((((k * p) % length) + length) % length)) / length;
}

function halfBins(length: number): number {
  return Math.floor(length / 2) + 1;
}

/** Forward DFT matrices [n, bins] from positions first..first+n-1: cos and -sin parts. */
function dft(length: number, bins: number, first: number, n: number): [tf.Tensor2D, tf.Tensor2D] {
  const key = `${length}:${bins}:${first}:${n}`;
  return [
    matrix(`c${key}`, n, bins, (t, k) => Math.cos(angle(k, first + t, length))),
    matrix(`s${key}`, n, bins, (t, k) => -Math.sin(angle(k, first + t, length))),
  ];
}

/** Inverse complex DFT matrices [L, n] (1/L e^{+i theta}) evaluated at positions first..first+n-1. */
function inverseDft(length: number, first: number, n: number): [tf.Tensor2D, tf.Tensor2D] {
  const key = `${length}:${first}:${n}`;
  return [
    matrix(`ic${key}`, length, n, (k, t) => Math.cos(angle(k, first + t, length)) / length),
    matrix(`is${key}`, length, n, (k, t) => Math.sin(angle(k, first + t, length)) / length),
  ];
}

/** Inverse of a real signal's half spectrum [F, n]: weights 1 for bin 0 (and L/2), 2 for the others. */
function inverseRealDft(length: number, first: number, n: number): [tf.Tensor2D, tf.Tensor2D] {
  const bins = halfBins(length);
  const weight = (k: number): number => (k === 0 || 2 * k === length ? 1 : 2) / length;
  const key = `${length}:${first}:${n}`;
  return [
    matrix(`irc${key}`, bins, n, (k, t) => weight(k) * Math.cos(angle(k, first + t, length))),
    matrix(`irs${key}`, bins, n, (k, t) => -weight(k) * Math.sin(angle(k, first + t, length))),
  ];
}

interface Spectrum {
  /** [B, Lh, Fw] each. */
  re: tf.Tensor3D;
  im: tf.Tensor3D;
}

interface Grid {
  lengths: Pair;
}

/** Signals [B, nw, nh] (W before H) starting at positions `first` = [h0, w0] -> spectra [B, Lh, Fw]. */
function forward(signals: tf.Tensor3D, first: Pair, grid: Grid): Spectrum {
  const [b, nw, nh] = signals.shape;
  const [lh, lw] = grid.lengths;
  const fw = halfBins(lw);
  const [cw, sw] = dft(lw, fw, first[1], nw);
  if (lh === 1 && nh === 1 && first[0] === 0) {
    const rows = tf.reshape(signals, [b, nw]);
    return { re: tf.reshape(tf.matMul(rows, cw), [b, 1, fw]), im: tf.reshape(tf.matMul(rows, sw), [b, 1, fw]) };
  }
  const [ch, sh] = dft(lh, lh, first[0], nh);
  const columns = tf.reshape(signals, [b * nw, nh]);
  // Along H: [B*nw, Lh] real and imaginary parts, then bring W last.
  const byRow = (t: tf.Tensor2D): tf.Tensor2D => tf.reshape(tf.transpose(tf.reshape(t, [b, nw, lh]), [0, 2, 1]), [b * lh, nw]);
  const ar = byRow(tf.matMul(columns, ch));
  const ai = byRow(tf.matMul(columns, sh));
  // Along W: (ar + i ai)(cw + i sw).
  const re = tf.sub(tf.matMul(ar, cw), tf.matMul(ai, sw));
  const im = tf.add(tf.matMul(ar, sw), tf.matMul(ai, cw));
  return { re: tf.reshape(re, [b, lh, fw]), im: tf.reshape(im, [b, lh, fw]) };
}

/** Spectra [B, Lh, Fw] -> real signals [B, mh, mw] at positions `first` = [h0, w0]. */
function inverse(spectrum: Spectrum, first: Pair, size: Pair, grid: Grid): tf.Tensor3D {
  const [b, lh, fw] = spectrum.re.shape;
  const [mh, mw] = size;
  const [irc, irs] = inverseRealDft(grid.lengths[1], first[1], mw);
  let br: tf.Tensor2D;
  let bi: tf.Tensor2D;
  if (lh === 1 && mh === 1 && first[0] === 0) {
    br = tf.reshape(spectrum.re, [b, fw]);
    bi = tf.reshape(spectrum.im, [b, fw]);
  } else {
    const [ic, is] = inverseDft(lh, first[0], mh);
    const byBin = (t: tf.Tensor3D): tf.Tensor2D => tf.reshape(tf.transpose(t, [0, 2, 1]), [b * fw, lh]);
    const zr = byBin(spectrum.re);
    const zi = byBin(spectrum.im);
    // Along H: (zr + i zi)(ic + i is), then bring W last.
    const byRow = (t: tf.Tensor2D): tf.Tensor2D => tf.reshape(tf.transpose(tf.reshape(t, [b, fw, mh]), [0, 2, 1]), [b * mh, fw]);
    br = byRow(tf.sub(tf.matMul(zr, ic), tf.matMul(zi, is)));
    bi = byRow(tf.add(tf.matMul(zr, is), tf.matMul(zi, ic)));
  }
  return tf.reshape(tf.add(tf.matMul(br, irc), tf.matMul(bi, irs)), [b, mh, mw]);
}

/** NHWC [N, H, W, C] -> signals [N*C, W, H]. */
function toSignals(t: tf.Tensor4D): tf.Tensor3D {
  const [n, h, w, c] = t.shape;
  return tf.reshape(tf.transpose(t, [0, 3, 2, 1]), [n * c, w, h]);
}

/** Signals [N*C, H, W] -> NHWC. */
function fromSignals(s: tf.Tensor3D, n: number, c: number): tf.Tensor4D {
  const [, h, w] = s.shape;
  return tf.transpose(tf.reshape(s, [n, c, h, w]), [0, 2, 3, 1]);
}

/** [A*B, Lh, Fw] -> [F, A, B] (frequency-major, for per-frequency matrix products). */
function byFrequency(t: tf.Tensor3D, a: number, b: number): tf.Tensor3D {
  const [, lh, fw] = t.shape;
  return tf.transpose(tf.reshape(t, [a, b, lh * fw]), [2, 0, 1]);
}

/** [F, A, B] -> [A*B, Lh, Fw]. */
function fromFrequency(t: tf.Tensor3D, lh: number, fw: number): tf.Tensor3D {
  const [, a, b] = t.shape;
  return tf.reshape(tf.transpose(t, [1, 2, 0]), [a * b, lh, fw]);
}

/** Columns [from, from+count) of the last axis of a [F, A, 2B] block. */
function columns(t: tf.Tensor3D, from: number, count: number): tf.Tensor3D {
  return tf.slice(t, [0, 0, from], [-1, -1, count]);
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
  const lh = grid.lengths[0];
  const fw = halfBins(grid.lengths[1]);
  const zero: Pair = [0, 0];
  // Kernel [Sh, Sw, A, B] -> signals [A*B, Sw, Sh] placed at the kernel offsets, and back.
  const kernelSpectrum = (k: tf.Tensor4D): Spectrum => forward(tf.reshape(tf.transpose(k, [2, 3, 1, 0]), [kin * kout, sw, sh]), offsets, grid);
  const kernelFromSignals = (s: tf.Tensor3D): tf.Tensor4D => tf.transpose(tf.reshape(s, [kin, kout, sh, sw]), [2, 3, 0, 1]);

  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, filter, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    const xs = forward(toSignals(input), zero, grid); // [N*Cin, Lh, Fw]
    const ks = kernelSpectrum(filter); // [Cin*Cout or C, Lh, Fw]
    let ys: Spectrum;
    if (depthwise) {
      const xr = tf.reshape(xs.re, [n, cin, lh, fw]);
      const xi = tf.reshape(xs.im, [n, cin, lh, fw]);
      const kr = tf.reshape(ks.re, [1, cin, lh, fw]);
      const ki = tf.reshape(ks.im, [1, cin, lh, fw]);
      // X . conj(K)
      ys = {
        re: tf.reshape(tf.add(tf.mul(xr, kr), tf.mul(xi, ki)), [n * cin, lh, fw]),
        im: tf.reshape(tf.sub(tf.mul(xi, kr), tf.mul(xr, ki)), [n * cin, lh, fw]),
      };
      save([xr, xi, kr, ki]);
    } else {
      const xf = tf.concat([byFrequency(xs.re, n, cin), byFrequency(xs.im, n, cin)], 2) as tf.Tensor3D; // [F, N, 2Cin]
      const kr = byFrequency(ks.re, cin, cout);
      const ki = byFrequency(ks.im, cin, cout);
      // [Xr | Xi] @ [[Kr, -Ki], [Ki, Kr]] = [Re | Im] of sum_ci X . conj(K).
      const block = tf.concat([tf.concat([kr, tf.neg(ki)], 2), tf.concat([ki, kr], 2)], 1) as tf.Tensor3D;
      const yf = tf.matMul(xf, block) as tf.Tensor3D;
      ys = { re: fromFrequency(columns(yf, 0, cout), lh, fw), im: fromFrequency(columns(yf, cout, cout), lh, fw) };
      save([xf, block]);
    }
    const value = fromSignals(inverse(ys, zero, [h, w], grid), n, cout);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
      const es = forward(toSignals(dy as tf.Tensor4D), zero, grid); // [N*Cout, Lh, Fw]
      let dxs: Spectrum;
      let dks: Spectrum;
      if (depthwise) {
        const [xr, xi, kr, ki] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const er = tf.reshape(es.re, [n, cin, lh, fw]);
        const ei = tf.reshape(es.im, [n, cin, lh, fw]);
        // dX = E . K;  dK = sum_n conj(E) . X
        dxs = {
          re: tf.reshape(tf.sub(tf.mul(er, kr), tf.mul(ei, ki)), [n * cin, lh, fw]),
          im: tf.reshape(tf.add(tf.mul(er, ki), tf.mul(ei, kr)), [n * cin, lh, fw]),
        };
        dks = {
          re: tf.sum(tf.add(tf.mul(er, xr), tf.mul(ei, xi)), 0) as tf.Tensor3D,
          im: tf.sum(tf.sub(tf.mul(er, xi), tf.mul(ei, xr)), 0) as tf.Tensor3D,
        };
      } else {
        const [xf, block] = saved as [tf.Tensor3D, tf.Tensor3D];
        const ef = tf.concat([byFrequency(es.re, n, cout), byFrequency(es.im, n, cout)], 2) as tf.Tensor3D; // [F, N, 2Cout]
        const dxf = tf.matMul(ef, block, false, true) as tf.Tensor3D; // sum_co E . K
        dxs = { re: fromFrequency(columns(dxf, 0, cin), lh, fw), im: fromFrequency(columns(dxf, cin, cin), lh, fw) };
        // G = [Xr | Xi]^T [Er | Ei]; conj(E) . X summed over n: re = G00 + G11, im = G10 - G01.
        const g = tf.matMul(xf, ef, true, false) as tf.Tensor3D; // [F, 2Cin, 2Cout]
        const quadrant = (i: number, j: number): tf.Tensor3D => tf.slice(g, [0, i * cin, j * cout], [-1, cin, cout]);
        dks = {
          re: fromFrequency(tf.add(quadrant(0, 0), quadrant(1, 1)), lh, fw),
          im: fromFrequency(tf.sub(quadrant(1, 0), quadrant(0, 1)), lh, fw),
        };
      }
      const dx = fromSignals(inverse(dxs, zero, [h, w], grid), n, cin);
      const dk = kernelFromSignals(inverse(dks, offsets, [sh, sw], grid));
      return [dx, dk];
    };
    return { value, gradFunc };
  });
  return op(x, kernel) as tf.Tensor4D;
}
