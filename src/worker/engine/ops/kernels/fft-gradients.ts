/**
 * Differentiable real FFTs. tfjs 4.22 registers no gradient for FFT, IFFT, Complex, Real or Imag, and its tape
 * cannot carry one anyway: it rejects every gradient whose dtype is not float32, so no complex tensor can sit
 * on a differentiated path (registering complex gradients fails with "The gradient of input ... must have
 * 'float32' dtype"). The fill is therefore a pair of real-in, real-out ops under tf.customGrad, whose backward
 * passes are FFTs too, with tfjs's convention for the gradient of z = a + ib being dL/da + i dL/db:
 *
 *   [re, im] = rfft(x), x of length n, F = floor(n/2)+1 bins:
 *       dx = n * real(ifft(pad_n(g_re + i g_im)))                 (sum_f g_f e^{+2 pi i f t / n}, real part)
 *   x = irfft(re + i im), n = 2(F-1):
 *       g_re + i g_im = rfft(g) * w / n,  w = [1, 2, ..., 2, 1]   (the Hermitian extension counts bins twice)
 *
 * They run where the backend has spectral kernels (cpu, tensorflow); wasm has none and no complex dtype, so
 * the engine's own Fourier path (../fourier-conv.ts) uses real DFT matrices instead.
 */
import * as tf from '@tensorflow/tfjs-core';

function requireSpectralKernels(op: string): void {
  if (tf.getKernel('FFT', tf.getBackend()) === undefined) {
    throw new Error(`${op}: the '${tf.getBackend()}' backend has no FFT kernels (tfjs implements them only where it has a complex dtype)`);
  }
}

function lastAxisPad(t: tf.Tensor, extra: number): tf.Tensor {
  const pads = t.shape.map((): [number, number] => [0, 0]);
  pads[t.rank - 1] = [0, extra];
  return tf.pad(t, pads);
}

/** rfft along the last axis, returned as [real, imaginary] float32 tensors; differentiable. */
export function rfftParts(x: tf.Tensor): [tf.Tensor, tf.Tensor] {
  requireSpectralKernels('rfftParts');
  const n = x.shape[x.rank - 1]!;
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    const y = tf.spectral.rfft(input);
    const value = tf.stack([tf.real(y), tf.imag(y)]);
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor => {
      const [gr, gi] = tf.unstack(dy as tf.Tensor);
      const bins = gr!.shape[gr!.rank - 1]!;
      const spectrum = tf.complex(lastAxisPad(gr!, n - bins), lastAxisPad(gi!, n - bins));
      return tf.mul(tf.real(tf.spectral.ifft(spectrum)), n);
    };
    return { value, gradFunc };
  });
  const [re, im] = tf.unstack(op(x));
  return [re!, im!];
}

/** irfft along the last axis of (re + i im), output length 2(F-1); differentiable with respect to re and im. */
export function irfftParts(re: tf.Tensor, im: tf.Tensor): tf.Tensor {
  requireSpectralKernels('irfftParts');
  const bins = re.shape[re.rank - 1]!;
  const n = 2 * (bins - 1);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [a, b] = args as [tf.Tensor, tf.Tensor];
    const value = tf.spectral.irfft(tf.complex(a, b));
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      const spectrum = tf.spectral.rfft(dy as tf.Tensor);
      const weights = tf.tensor1d(Array.from({ length: bins }, (_, f) => (f === 0 || f === bins - 1 ? 1 : 2) / n));
      return [tf.mul(tf.real(spectrum), weights), tf.mul(tf.imag(spectrum), weights)];
    };
    return { value, gradFunc };
  });
  return op(re, im);
}
