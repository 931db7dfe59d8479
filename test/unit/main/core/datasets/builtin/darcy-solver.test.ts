import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../../../src/shared/engine/index.ts';
import { harmonicMean, solveDarcy } from '../../../../../../src/main/core/datasets/builtin/darcy-solver.ts';
import { gaussianRandomField, thresholdField } from '../../../../../../src/main/core/datasets/builtin/gaussian-random-field.ts';

/** Max-norm error of the solve against an exact solution at the nodes (or at the nodes x, y in `at` only). */
function maxError(
  n: number,
  a: (x: number, y: number) => number,
  f: (x: number, y: number) => number,
  exact: (x: number, y: number) => number,
  at?: number[],
): number {
  const nodes = (g: (x: number, y: number) => number) => {
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = g(j / (n - 1), i / (n - 1));
    return out;
  };
  const solution = solveDarcy(nodes(a), n, nodes(f), { tolerance: 1e-12 });
  expect(solution.converged).toBe(true);
  if (at !== undefined) {
    let e = 0;
    for (const y of at) for (const x of at) e = Math.max(e, Math.abs(solution.u[Math.round(y * (n - 1)) * n + Math.round(x * (n - 1))]! - exact(x, y)));
    return e;
  }
  const want = nodes(exact);
  let e = 0;
  for (let k = 0; k < n * n; k++) e = Math.max(e, Math.abs(solution.u[k]! - want[k]!));
  return e;
}

/** -Laplace(u) = 1 on the unit square, u = 0 on the boundary: the double sine series. */
function seriesSolution(x: number, y: number): number {
  let s = 0;
  for (let m = 1; m < 400; m += 2) {
    for (let k = 1; k < 400; k += 2) s += Math.sin(m * Math.PI * x) * Math.sin(k * Math.PI * y) / (m * k * (m * m + k * k));
  }
  return (16 / Math.PI ** 4) * s;
}

describe('solveDarcy', () => {
  it('harmonic mean of the face coefficients: 2ab/(a+b)', () => {
    expect(harmonicMean(12, 3)).toBeCloseTo(4.8, 12);
    expect(harmonicMean(5, 5)).toBe(5);
  });

  it('converges at second order for a smooth variable coefficient (manufactured solution)', () => {
    const { PI, sin, cos } = Math;
    const a = (x: number, y: number) => 1 + 0.5 * x * y + 0.3 * sin(2 * PI * x);
    const u = (x: number, y: number) => sin(PI * x) * sin(PI * y);
    // f = -div(a grad u) = -a_x u_x - a_y u_y - a laplace(u)
    const f = (x: number, y: number) => {
      const ax = 0.5 * y + 0.6 * PI * cos(2 * PI * x);
      const ay = 0.5 * x;
      const ux = PI * cos(PI * x) * sin(PI * y);
      const uy = PI * sin(PI * x) * cos(PI * y);
      return -ax * ux - ay * uy + 2 * PI * PI * a(x, y) * u(x, y);
    };
    const errors = [9, 17, 33, 65].map((n) => maxError(n, a, f, u));
    const orders = errors.slice(1).map((e, i) => Math.log2(errors[i]! / e));
    expect(orders.every((p) => p > 1.9 && p < 2.1)).toBe(true);
    expect(errors[3]).toBeLessThan(1e-3);
  });

  it('matches the series solution for a = 1, f = 1, at second order', () => {
    // At the nodes every grid shares (x, y in 1/4, 1/2, 3/4), where the series is summed once each.
    const errors = [9, 17, 33, 65].map((n) => maxError(n, () => 1, () => 1, seriesSolution, [0.25, 0.5, 0.75]));
    const orders = errors.slice(1).map((e, i) => Math.log2(errors[i]! / e));
    expect(orders.every((p) => p > 1.8)).toBe(true);
    expect(seriesSolution(0.5, 0.5)).toBeCloseTo(0.0736713532, 8);
  });

  it('agrees with a direct solve of the same five-point system for a 12/3 thresholded random coefficient', () => {
    const n = 9;
    const a = thresholdField(gaussianRandomField(n, new SeededRandom(4)), 12, 3);
    expect(new Set(a)).toEqual(new Set([12, 3]));
    const cg = solveDarcy(a, n, 1, { tolerance: 1e-13 });
    // Assemble A u = h^2 f face by face and solve it by Gaussian elimination.
    const m = n - 2;
    const A = Array.from({ length: m * m }, () => new Float64Array(m * m));
    const b = new Float64Array(m * m).fill(1 / ((n - 1) * (n - 1)));
    const unknown = (i: number, j: number) => (i >= 1 && i <= m && j >= 1 && j <= m ? (i - 1) * m + (j - 1) : -1);
    const addFace = (i1: number, j1: number, i2: number, j2: number) => {
      const k = (2 * a[i1 * n + j1]! * a[i2 * n + j2]!) / (a[i1 * n + j1]! + a[i2 * n + j2]!);
      const p = unknown(i1, j1);
      const q = unknown(i2, j2);
      if (p >= 0) A[p]![p]! += k;
      if (q >= 0) A[q]![q]! += k;
      if (p >= 0 && q >= 0) {
        A[p]![q]! -= k;
        A[q]![p]! -= k;
      }
    };
    for (let i = 0; i < n; i++) for (let j = 0; j < n - 1; j++) if (i > 0 && i < n - 1) addFace(i, j, i, j + 1);
    for (let i = 0; i < n - 1; i++) for (let j = 1; j < n - 1; j++) addFace(i, j, i + 1, j);
    for (let col = 0; col < m * m; col++) {
      for (let row = col + 1; row < m * m; row++) {
        const factor = A[row]![col]! / A[col]![col]!;
        for (let c = col; c < m * m; c++) A[row]![c]! -= factor * A[col]![c]!;
        b[row]! -= factor * b[col]!;
      }
    }
    const direct = new Float64Array(m * m);
    for (let row = m * m - 1; row >= 0; row--) {
      let s = b[row]!;
      for (let c = row + 1; c < m * m; c++) s -= A[row]![c]! * direct[c]!;
      direct[row] = s / A[row]![row]!;
    }
    for (let i = 1; i <= m; i++) for (let j = 1; j <= m; j++) expect(cg.u[i * n + j]).toBeCloseTo(direct[unknown(i, j)]!, 12);
  });

  it('keeps u = 0 on the boundary and u > 0 inside for f > 0, and reports its iterations', () => {
    const n = 33;
    const a = thresholdField(gaussianRandomField(n, new SeededRandom(9)), 12, 3);
    const s = solveDarcy(a, n, 1);
    expect(s.converged).toBe(true);
    expect(s.relativeResidual).toBeLessThanOrEqual(1e-10);
    expect(s.iterations).toBeGreaterThan(10);
    expect(s.iterations).toBeLessThan(31 * 31);
    for (let k = 0; k < n; k++) {
      expect([s.u[k], s.u[(n - 1) * n + k], s.u[k * n], s.u[k * n + n - 1]]).toEqual([0, 0, 0, 0]);
    }
    for (let i = 1; i < n - 1; i++) for (let j = 1; j < n - 1; j++) expect(s.u[i * n + j]).toBeGreaterThan(0);
  });
});

describe('gaussianRandomField', () => {
  it('is deterministic for a seed, mean-free and smoother for larger alpha', () => {
    const a = gaussianRandomField(32, new SeededRandom(1));
    expect(Array.from(gaussianRandomField(32, new SeededRandom(1)))).toEqual(Array.from(a));
    expect(Array.from(gaussianRandomField(32, new SeededRandom(2)))).not.toEqual(Array.from(a));
    // Averaged over fields, the spatial mean is ~0 (the constant mode is removed) and roughness drops with alpha.
    const roughness = (alpha: number) => {
      let r = 0;
      let mean = 0;
      for (let s = 0; s < 20; s++) {
        const f = gaussianRandomField(32, new SeededRandom(100 + s), { alpha });
        const std = Math.sqrt(f.reduce((t, v) => t + v * v, 0) / f.length);
        mean += f.reduce((t, v) => t + v, 0) / f.length / std;
        for (let i = 0; i < 32; i++) for (let j = 0; j < 31; j++) r += Math.abs(f[i * 32 + j + 1]! - f[i * 32 + j]!) / std;
      }
      return { r, mean: mean / 20 };
    };
    const rough = roughness(1.5);
    const smooth = roughness(3);
    expect(smooth.r).toBeLessThan(rough.r / 2);
    expect(Math.abs(rough.mean)).toBeLessThan(0.1);
  });
});
