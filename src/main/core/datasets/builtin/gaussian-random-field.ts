/**
 * Gaussian random fields on the unit square with covariance tau^(2 alpha - 2) (-Laplacian + tau^2)^(-alpha)
 * (Neumann boundary conditions), as FNO's data generator (GRF.m) and hence NAS-Bench-360's DarcyFlow draw them:
 * a Karhunen-Loeve (cosine) series
 *   psi(x, y) = sum_{k1, k2} xi_k * tau^(alpha - 1) (pi^2 (k1^2 + k2^2) + tau^2)^(-alpha / 2) * phi_k1(x) phi_k2(y)
 * with xi_k ~ N(0, 1), phi_0 = 1, phi_k = sqrt(2) cos(pi k x), and the constant mode removed (mean zero).
 * FNO evaluates the series with an inverse DCT at cell centres; here it is evaluated at the grid's nodes.
 */
import type { SeededRandom } from '../../../../shared/engine/index.ts';

export interface RandomFieldOptions {
  alpha?: number;
  tau?: number;
  /** Modes per axis (default: the grid size). */
  modes?: number;
}

/** One field sampled at the n x n nodes x_j = j / (n - 1), y_i = i / (n - 1), row-major (row i, column j). */
export function gaussianRandomField(n: number, rng: SeededRandom, options: RandomFieldOptions = {}): Float64Array {
  const alpha = options.alpha ?? 2;
  const tau = options.tau ?? 3;
  const modes = options.modes ?? n;
  // Coefficients xi * sqrt(eigenvalue), drawn in a fixed order so the field depends only on the seed.
  const coefficients = new Float64Array(modes * modes);
  for (let k1 = 0; k1 < modes; k1++) {
    for (let k2 = 0; k2 < modes; k2++) {
      const xi = rng.normal();
      if (k1 === 0 && k2 === 0) continue;
      coefficients[k1 * modes + k2] = xi * tau ** (alpha - 1) * (Math.PI ** 2 * (k1 * k1 + k2 * k2) + tau * tau) ** (-alpha / 2);
    }
  }
  // basis[i * modes + k] = phi_k(i / (n - 1))
  const basis = new Float64Array(n * modes);
  for (let i = 0; i < n; i++) {
    const x = n > 1 ? i / (n - 1) : 0;
    for (let k = 0; k < modes; k++) basis[i * modes + k] = k === 0 ? 1 : Math.SQRT2 * Math.cos(Math.PI * k * x);
  }
  // psi = B_y C B_x^T, with k1 along y (rows) and k2 along x (columns): first T = C B_x^T (modes x n).
  const partial = new Float64Array(modes * n);
  for (let k1 = 0; k1 < modes; k1++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k2 = 0; k2 < modes; k2++) s += coefficients[k1 * modes + k2]! * basis[j * modes + k2]!;
      partial[k1 * n + j] = s;
    }
  }
  const field = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k1 = 0; k1 < modes; k1++) s += basis[i * modes + k1]! * partial[k1 * n + j]!;
      field[i * n + j] = s;
    }
  }
  return field;
}

/** FNO's piecewise-constant coefficient: `high` where the field is >= 0, `low` elsewhere. */
export function thresholdField(field: Float64Array, high: number, low: number): Float64Array {
  return field.map((v) => (v >= 0 ? high : low));
}
