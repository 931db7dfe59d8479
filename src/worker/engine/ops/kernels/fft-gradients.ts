/**
 * Gradients for tfjs's spectral kernels, which 4.22 registers without any: FFT, IFFT, Complex, Real, Imag.
 * `rfft` and `irfft` are composites of these (plus real-valued slicing), so they become differentiable too.
 *
 * tfjs's convention for a complex tensor z = a + ib under a real loss L: its gradient is dL/da + i dL/db
 * (that is what the ComplexAbs gradient and the engine's complex accumulation assume). Then, for the
 * unnormalised DFT matrix F (F_ft = exp(-2 pi i f t / n)):
 *   y = fft(x)  = F x        ->  grad x = conj(F)^T g = n * ifft(g)
 *   y = ifft(x) = conj(F) x / n ->  grad x = F g / n    = fft(g) / n
 *   y = complex(a, b)        ->  grad a = real(g), grad b = imag(g)
 *   y = real(z)              ->  grad z = complex(g, 0);   y = imag(z) -> grad z = complex(0, g)
 * Only backends with complex64 support (cpu, tensorflow) have these kernels; wasm has none of them.
 */
import * as tf from '@tensorflow/tfjs-core';

function scaleComplex(z: tf.Tensor, factor: number): tf.Tensor {
  return tf.complex(tf.mul(tf.real(z), factor), tf.mul(tf.imag(z), factor));
}

function innerLength(t: tf.Tensor): number {
  return t.shape[t.shape.length - 1] ?? 1;
}

export const fftGradient: tf.GradConfig = {
  kernelName: 'FFT',
  gradFunc: (dy) => {
    const g = dy as tf.Tensor;
    return { input: () => scaleComplex(tf.ifft(g), innerLength(g)) };
  },
};

export const ifftGradient: tf.GradConfig = {
  kernelName: 'IFFT',
  gradFunc: (dy) => {
    const g = dy as tf.Tensor;
    return { input: () => scaleComplex(tf.fft(g), 1 / innerLength(g)) };
  },
};

export const complexGradient: tf.GradConfig = {
  kernelName: 'Complex',
  gradFunc: (dy) => {
    const g = dy as tf.Tensor;
    return { real: () => tf.real(g), imag: () => tf.imag(g) };
  },
};

export const realGradient: tf.GradConfig = {
  kernelName: 'Real',
  gradFunc: (dy) => {
    const g = dy as tf.Tensor;
    return { input: () => tf.complex(g, tf.zerosLike(g)) };
  },
};

export const imagGradient: tf.GradConfig = {
  kernelName: 'Imag',
  gradFunc: (dy) => {
    const g = dy as tf.Tensor;
    return { input: () => tf.complex(tf.zerosLike(g), g) };
  },
};

export const spectralGradients: tf.GradConfig[] = [fftGradient, ifftGradient, complexGradient, realGradient, imagGradient];
