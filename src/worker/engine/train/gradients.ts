/**
 * Gradient transforms applied between backward and the optimiser step.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * DASH's treatment of one layer's alpha gradient: rescale to norm 1/scale, g <- g / (scale (||g|| + 1e-8)), then add
 * the field-size penalty, g_i <- g_i + penalty * f_i. Reference values: scale 100, penalty 1e-5.
 */
export function rescaleAlphaGradient(grad: tf.Tensor1D, fieldSizes: readonly number[], scale: number, penalty: number): tf.Tensor1D {
  if (grad.shape[0] !== fieldSizes.length) {
    throw new Error(`rescaleAlphaGradient: gradient has ${grad.shape[0]} entries but ${fieldSizes.length} field sizes were given`);
  }
  return tf.tidy(() => {
    const norm = tf.norm(grad);
    const scaled = tf.div(grad, tf.mul(tf.add(norm, 1e-8), scale));
    return tf.add(scaled, tf.mul(tf.tensor1d(fieldSizes as number[]), penalty)) as tf.Tensor1D;
  });
}

/**
 * Scales all gradients together so that their global L2 norm is at most maxNorm, as torch.nn.utils.clip_grad_norm_:
 * factor = min(1, maxNorm / (total + 1e-6)). Returns new tensors (the inputs are left alone) and the norm before clipping.
 */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: tf.Scalar } {
  if (!(maxNorm > 0)) throw new Error(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  return tf.tidy(() => {
    const squares = grads.map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(squares.length === 0 ? tf.scalar(0) : tf.addN(squares)) as tf.Scalar;
    const factor = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    return { grads: grads.map((g) => tf.mul(g, factor)), norm };
  });
}
